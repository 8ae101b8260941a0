using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Validation;

namespace Symbolon.Server.OAuth;

/// <summary>
/// Keeps OAuth credentials out of the logs at every level. OpenIddict logs every request and response it handles and,
/// at Trace, the tokens it creates and validates (a reference token's id is the bearer credential itself). It masks
/// only the parameters it knows to be secret, which leaves out the device flow's <c>device_code</c> and
/// <c>user_code</c> of the card at the counter. A filter on the category would not do: configuration can lower it
/// again. So the loggers OpenIddict's dispatchers write to are replaced by ones that redact before any provider sees
/// the line, whatever the level and filters.
/// </summary>
internal static partial class OAuthLogRedaction
{
    public const string Redacted = "[redacted]";

    /// <summary>Request and response parameters that carry a credential, on top of those OpenIddict masks itself.</summary>
    private static readonly HashSet<string> SecretParameters = new(StringComparer.Ordinal)
    {
        OpenIddictConstants.Parameters.AccessToken,
        OpenIddictConstants.Parameters.Assertion,
        OpenIddictConstants.Parameters.ClientAssertion,
        OpenIddictConstants.Parameters.ClientSecret,
        OpenIddictConstants.Parameters.Code,
        OpenIddictConstants.Parameters.CodeVerifier,
        OpenIddictConstants.Parameters.DeviceCode,
        OpenIddictConstants.Parameters.IdToken,
        OpenIddictConstants.Parameters.IdTokenHint,
        OpenIddictConstants.Parameters.Password,
        OpenIddictConstants.Parameters.RefreshToken,
        OpenIddictConstants.Parameters.Token,
        OpenIddictConstants.Parameters.UserCode,
        OpenIddictConstants.Parameters.VerificationUriComplete,
        Contracts.Vendor.CardProtocol.CardCodeParameter,
    };

    /// <summary>Log values that are a token or a token's payload as a whole.</summary>
    private static readonly HashSet<string> SecretValues = new(StringComparer.Ordinal) { "Token", "Payload", "ReferenceId" };

    public static IServiceCollection AddOAuthLogRedaction(this IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<ILogger<OpenIddictServerDispatcher>, RedactingLogger<OpenIddictServerDispatcher>>());
        services.Replace(ServiceDescriptor.Singleton<ILogger<OpenIddictValidationDispatcher>, RedactingLogger<OpenIddictValidationDispatcher>>());
        return services;
    }

    /// <summary>A logger of <typeparamref name="T"/>'s category whose lines carry no credential.</summary>
    internal sealed class RedactingLogger<T>(ILoggerFactory factory) : ILogger<T>
    {
        private readonly ILogger _inner = factory.CreateLogger(typeof(T).FullName!);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => _inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => _inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!_inner.IsEnabled(logLevel))
            {
                return;
            }

            // Note: OpenIddict logs through message templates, whose state is a list of named values. Anything else
            // is written as a placeholder, since what it holds could not be checked.
            var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [new("{OriginalFormat}", "(a line that could not be checked for credentials was left out)")];
            _inner.Log(logLevel, eventId, new RedactedValues(values), exception, static (s, _) => s.ToString());
        }
    }

    /// <summary>A template's values with the credentials taken out, formatted like the original.</summary>
    private sealed class RedactedValues : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private const string OriginalFormat = "{OriginalFormat}";
        private readonly List<KeyValuePair<string, object?>> _values;
        private readonly string _text;

        public RedactedValues(IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            _values = [.. values.Select(v => v.Key == OriginalFormat ? v : new KeyValuePair<string, object?>(v.Key, Redact(v.Key, v.Value)))];
            var template = values.FirstOrDefault(v => v.Key == OriginalFormat).Value as string ?? string.Empty;
            var holes = _values.Where(v => v.Key != OriginalFormat).ToList();
            var index = 0;
            _text = Hole().Replace(template, match => index < holes.Count ? Format(holes[index++].Value) : match.Value);
        }

        public int Count => _values.Count;

        public KeyValuePair<string, object?> this[int index] => _values[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _values.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => _text;

        private static string Format(object? value) => value switch
        {
            null => "(null)",
            string text => text,
            IEnumerable items => string.Join(", ", items.Cast<object?>().Select(i => Convert.ToString(i, CultureInfo.InvariantCulture))),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
        };
    }

    private static object? Redact(string key, object? value) => value switch
    {
        null => null,
        _ when SecretValues.Contains(key) => Redacted,
        OpenIddictMessage message => Redact(message),
        _ => value,
    };

    /// <summary>The message as OpenIddict prints it, with every credential parameter masked.</summary>
    private static string Redact(OpenIddictMessage message)
    {
        var copy = new OpenIddictMessage();
        foreach (var (name, value) in message.GetParameters())
        {
            copy.SetParameter(name, SecretParameters.Contains(name) ? new OpenIddictParameter(Redacted) : value);
        }

        return copy.ToString();
    }

    [GeneratedRegex(@"\{[^{}]+\}")]
    private static partial Regex Hole();
}
