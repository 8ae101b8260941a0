namespace Symbolon.Client;

/// <summary>
/// The vault's OAuth 2.0 side refused a request (RFC 6749 §5.2, RFC 7591 §3.2.2, RFC 9126 §2.3), or an
/// authorization response carried an error or failed the SDK's checks (state, issuer). <see cref="Error"/> is the
/// standard error code; <see cref="Description"/> says what is wrong, for people.
/// </summary>
public sealed class SymbolonOAuthException : Exception
{
    /// <summary>Creates the exception for an OAuth error.</summary>
    /// <param name="error">The OAuth error code, for example <c>invalid_grant</c>.</param>
    /// <param name="description">The error description, if any.</param>
    /// <param name="status">The HTTP status code of the response, or 0 when the error did not come from a response.</param>
    public SymbolonOAuthException(string error, string? description = null, int status = 0)
        : base(description is null ? error : $"{error}: {description}")
    {
        Error = error;
        Description = description;
        Status = status;
    }

    /// <summary>The OAuth error code, for example <c>invalid_grant</c>, <c>access_denied</c> or <c>invalid_client_metadata</c>.</summary>
    public string Error { get; }

    /// <summary>What is wrong, in plain language, when the vault said.</summary>
    public string? Description { get; }

    /// <summary>The HTTP status code of the response, or 0 when the error came from the browser redirect or the SDK's own checks.</summary>
    public int Status { get; }
}
