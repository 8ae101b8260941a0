using Microsoft.AspNetCore.Http.Features;

namespace Symbolon.Server.Errors;

/// <summary>Body size limits for the JSON APIs: a clear 413 problem instead of a dropped connection.</summary>
internal static class RequestLimits
{
    public const long MaxJsonBodyBytes = 256 * 1024;

    /// <summary>Statements are the one large upload: years of card transactions run to tens of megabytes.</summary>
    public const long MaxStatementBytes = 256L * 1024 * 1024;

    /// <summary>A vendor's reply to a request carries attachments (up to five of 1 MiB each, base64 in JSON).</summary>
    public const long MaxRequestReplyBytes = 8L * 1024 * 1024;

    /// <summary>A Catima export is a zip with the cards' photos next to catima.csv.</summary>
    public const long MaxCatimaBytes = Core.LoyaltyCards.LoyaltyCardService.MaxImportBytes;

    /// <summary>An uploaded picture of an EPC QR code (a phone photo runs to a few MiB).</summary>
    public const long MaxQrImageBytes = Payments.PaymentEndpoints.MaxImageBytes;

    /// <summary>Refuses declared oversized bodies at once, and has Kestrel cut off chunked ones at the same size.</summary>
    public static IApplicationBuilder UseJsonBodyLimit(this IApplicationBuilder app, PathString prefix) => app.Use(async (context, next) =>
    {
        if (context.Request.Path.StartsWithSegments(prefix))
        {
            // Only statement uploads may be large; they are read as a stream with their own limit.
            var isStatement = HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments(prefix + "/imports");
            var isRequestReply = HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments(prefix + "/requests")
                && context.Request.Path.Value!.EndsWith("/replies", StringComparison.Ordinal);
            var isCatima = HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments(prefix + "/loyalty-cards/import/catima");

            // A photo of an EPC QR code is an image of a few MiB, read with its own limit of the same size.
            var isQrImage = HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments(prefix + Payments.PaymentEndpoints.Prefix + "/payees/qr-image");
            var max = isStatement ? MaxStatementBytes : isRequestReply ? MaxRequestReplyBytes : isCatima ? MaxCatimaBytes : isQrImage ? MaxQrImageBytes : MaxJsonBodyBytes;
            if (context.Request.ContentLength > max)
            {
                var problem = isStatement ? ProblemCatalog.StatementTooLarge() : isRequestReply ? ProblemCatalog.RequestReplyTooLarge() : ProblemCatalog.TooLarge(max);
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                await context.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
                return;
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = max;
            }
        }

        await next(context);
    });
}
