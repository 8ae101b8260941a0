using System.Net.Http.Json;
using System.Security.Cryptography;
using Symbolon.Contracts.Vendor;

namespace Symbolon.Client;

/// <summary>
/// Reading and answering the requests a person sent this vendor (<c>/api/v1/requests</c>). A
/// <see cref="VendorSession"/> does it with its access token while a grant is in force; the
/// <see cref="SymbolonVendorClient"/> does it with the client's own id and secret, so a vendor can still answer
/// (say, "delete my data") after the person revoked every grant, as long as the relationship has not ended.
/// </summary>
public interface IVendorRequests
{
    /// <summary>
    /// The requests the person sent this vendor (<c>GET /api/v1/requests</c>), oldest first, each with its thread:
    /// copies of their data, corrections, deletions, withdrawn consent, restrictions and service requests.
    /// </summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="SymbolonProblemException">
    /// <c>SYM1108</c> (423) when the person is away: their vault is locked and the requests are sealed in it until they
    /// open it; <see cref="SymbolonProblemException.RetryAfter"/> says when to try again.
    /// </exception>
    Task<IReadOnlyList<VendorRequest>> GetRequestsAsync(CancellationToken cancellationToken = default);

    /// <summary>One request addressed to this vendor, with its thread (<c>GET /api/v1/requests/{id}</c>), for example the one a <c>request.created</c> webhook names.</summary>
    /// <param name="requestId">The request's id (<see cref="VendorRequest.Id"/> or <see cref="RequestCreatedData.RequestId"/>).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="SymbolonProblemException"><c>SYM2202</c> when this vendor has no such request; <c>SYM1108</c> (423) when the person is away (see <see cref="GetRequestsAsync"/>).</exception>
    Task<VendorRequest> GetRequestAsync(string requestId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Answers a request (<c>POST /api/v1/requests/{id}/replies</c>): a status change
    /// (<see cref="RequestStatuses.SetByVendor"/>), text, a question back to the person, and attachments such as an
    /// export of the person's data, stored encrypted in their vault and attributed to this vendor. Returns the request
    /// with its thread. Use an idempotency key derived from your own record of the answer so a retry lands once.
    /// </summary>
    /// <param name="requestId">The request's id.</param>
    /// <param name="reply">What to send.</param>
    /// <param name="idempotencyKey">Optional Idempotency-Key (1 to 255 visible ASCII characters).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="SymbolonProblemException">
    /// <c>SYM2204</c> for an invalid reply (the fields are in <c>Problem.Errors</c>), <c>SYM2205</c>
    /// when an attachment is over 1 MiB or the reply over 8 MiB (nothing was stored), <c>SYM2203</c> when the person closed
    /// the request, <c>SYM2202</c> when this vendor has no such request; while the person is away, <c>SYM1109</c> (429)
    /// or <c>SYM1110</c> (413) when their vault's inbox is full for now (nothing was queued, send it again later).
    /// </exception>
    /// <returns>
    /// The request with its thread; or, when the person is away and the vault queued the reply, what is known of it
    /// with <see cref="VendorRequest.Queued"/> set (see there).
    /// </returns>
    Task<VendorRequest> ReplyToRequestAsync(string requestId, RequestReplyInput reply, string? idempotencyKey = null, CancellationToken cancellationToken = default);
}

/// <summary>The three request calls, over whichever authentication the caller sends with.</summary>
internal static class VendorRequestCalls
{
    /// <summary>Sends a request under <c>/api/v1/</c>: method, path, body, idempotency key.</summary>
    public delegate Task<HttpResponseMessage> Send(HttpMethod method, string path, HttpContent? content, string? idempotencyKey, CancellationToken cancellationToken);

    public static async Task<IReadOnlyList<VendorRequest>> ListAsync(Send send, CancellationToken cancellationToken)
    {
        using var response = await send(HttpMethod.Get, "requests", null, null, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<IReadOnlyList<VendorRequest>>(response, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<VendorRequest> GetAsync(Send send, string requestId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        using var response = await send(HttpMethod.Get, "requests/" + Uri.EscapeDataString(requestId), null, null, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadAsync<VendorRequest>(response, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<VendorRequest> ReplyAsync(Send send, string requestId, RequestReplyInput reply, string? idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        ArgumentNullException.ThrowIfNull(reply);
        using var response = await send(HttpMethod.Post, "requests/" + Uri.EscapeDataString(requestId) + "/replies", JsonContent.Create(reply, options: SymbolonHttp.Json), idempotencyKey, cancellationToken).ConfigureAwait(false);
        return await SymbolonHttp.ReadWriteAsync(response, queued => Queued(requestId, reply, queued), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What is known of a request whose reply the vault queued: its id and the reply as sent (see <see cref="VendorRequest.Queued"/>).</summary>
    private static VendorRequest Queued(string requestId, RequestReplyInput reply, QueuedWrite queued)
    {
        var attachments = (reply.Attachments ?? []).Select((a, i) =>
            new VendorAttachment($"{queued.InboxId}-{i}", a.FileName, a.ContentType, a.Content.Length, Convert.ToHexString(SHA256.HashData(a.Content)).ToLowerInvariant())).ToList();
        var sent = new VendorRequestReply(queued.InboxId, MessageAuthors.Vendor, reply.Text, reply.Status, reply.Question, attachments, queued.ReceivedAt);
        return new VendorRequest(requestId, "", "", reply.Status ?? "", null, null, null, [], null, queued.ReceivedAt, queued.ReceivedAt, [sent]) { Queued = queued };
    }
}
