using System.Text.Encodings.Web;
using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Symbolon.Server.OAuth;

/// <summary>
/// An error at the authorization endpoint is shown to the person on a page of the vault's own, never sent to the
/// client's redirect URI (RFC 9700 §4.11.2). Before the person has seen the consent page nothing vouches for that
/// address: anyone can register a client (RFC 7591) whose redirect URI is a phishing page, then send people a link to
/// an authorization request built to fail, and the vault would forward their browser there with its own good name.
/// Only the person's own answer on the consent page (a form post with its antiforgery token) goes back to the vendor.
/// </summary>
internal static class AuthorizationErrorPage
{
    internal sealed class RenderInsteadOfRedirecting : IOpenIddictServerHandler<ApplyAuthorizationResponseContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyAuthorizationResponseContext>()
                .UseSingletonHandler<RenderInsteadOfRedirecting>()
                .SetOrder(int.MinValue + 50_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ApplyAuthorizationResponseContext context)
        {
            var error = context.Response.Error;
            var request = context.Transaction.GetHttpRequest();
            if (string.IsNullOrEmpty(error) || request is null)
            {
                return;
            }

            // The person declined on the consent page: the vendor hears it at the address the person just saw named.
            if (error == OpenIddictConstants.Errors.AccessDenied && HttpMethods.IsPost(request.Method))
            {
                return;
            }

            var response = request.HttpContext.Response;
            response.StatusCode = StatusCodes.Status400BadRequest;
            response.ContentType = "text/html; charset=utf-8";
            response.Headers.CacheControl = "no-store";
            response.Headers["X-Frame-Options"] = "DENY";
            response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
            await response.WriteAsync(Html(error, context.Response.ErrorDescription), context.CancellationToken);
            context.HandleRequest();
        }
    }

    /// <summary>The page: what happened in the person's words, and the error for the vendor's developers.</summary>
    internal static string Html(string error, string? description)
    {
        var html = HtmlEncoder.Default;
        var why = error switch
        {
            OpenIddictConstants.Errors.InvalidClient or OpenIddictConstants.Errors.UnauthorizedClient => "This vault does not know the app that sent you here, or you ended your relationship with it.",
            OpenIddictConstants.Errors.AccessDenied => "The request was declined.",
            _ => "The request from the app that sent you here is not valid, or it has expired.",
        };
        var details = $"<code>{html.Encode(error)}</code>" + (string.IsNullOrEmpty(description) ? "" : " · " + html.Encode(description));
        return $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>This request cannot go on · Symbolon</title>
            <style>
            body { font-family: system-ui, sans-serif; background: #f6f5f2; color: #1f2328; margin: 0 }
            main { max-width: 34rem; margin: 12vh auto; background: #fff; border-radius: 12px; padding: 2rem; box-shadow: 0 1px 4px rgba(0,0,0,.1) }
            h1 { font-size: 1.4rem; margin-top: 0 }
            .muted { color: #59636e }
            code { background: #f0f0f0; padding: 0 .25em; border-radius: 4px }
            </style>
            </head>
            <body>
            <main data-testid="authorization-error">
            <h1>This request cannot go on</h1>
            <p>{{html.Encode(why)}} Nothing was shared, and you were not sent anywhere.</p>
            <p>You can close this page. If you meant to connect an app, start again from its site.</p>
            <p class="muted">For the app's developers: {{details}}</p>
            <p><a href="/">Open your vault</a></p>
            </main>
            </body>
            </html>
            """;
    }
}
