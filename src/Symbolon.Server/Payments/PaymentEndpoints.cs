using Microsoft.AspNetCore.Http.HttpResults;
using Symbolon.Contracts.Payments;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Payments;
using Symbolon.Core.Vaults;
using Symbolon.Server.Vault;

namespace Symbolon.Server.Payments;

/// <summary>
/// Owner API for EmanciPay under <c>/owner/api/v1/payments</c>: payees (by hand, from an EPC QR code's text or image,
/// or a vendor's instructions to approve), pledges, the monthly budget, payments with their QR codes, marking paid,
/// checking the imported statements, the history and the signed records. Cookie or personal access token like every
/// owner endpoint; cookie writes from another site are refused by the owner-origin middleware.
/// </summary>
internal static class PaymentEndpoints
{
    public const string Prefix = "/payments";

    /// <summary>The most an uploaded QR image may weigh.</summary>
    public const int MaxImageBytes = 5 * 1024 * 1024;

    public static RouteGroupBuilder MapPaymentEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Prefix).WithTags("Payments").RequireAuthorization(OwnerAuthentication.Policy);
        group.MapGet("/", OverviewAsync).WithName("GetPaymentsOverview").WithSummary("This month's budget, every open payment (due, held, partial) and how many payees wait for approval; makes due what the pledges owe up to today.");
        group.MapGet("/all", ListAsync).WithName("ListPayments").WithSummary("Every payment, newest first; ?status=due|held|partial|settled|cancelled filters.");
        group.MapGet("/{id:guid}", GetAsync).WithName("GetPayment").WithSummary("One payment.");
        group.MapGet("/{id:guid}/qr", QrAsync).WithName("GetPaymentQr").WithSummary("The EPC QR code's text (SEPA credit transfer, version 002) of what is left to pay, with its creditor reference.");
        group.MapGet("/{id:guid}/qr.png", QrPngAsync).WithName("GetPaymentQrPng").WithSummary("The EPC QR code as a PNG image, for the person's banking app to scan.");
        group.MapPost("/{id:guid}/paid", MarkPaidAsync).WithName("MarkPaymentPaid").WithSummary("The person says they paid (all that is left, or an amount; today or a date); paid in full, it settles and its record is signed.");
        group.MapPost("/{id:guid}/release", ReleaseAsync).WithName("ReleasePayment").WithSummary("Releases a payment held over the budget.");
        group.MapPost("/{id:guid}/cancel", CancelAsync).WithName("CancelPayment").WithSummary("Skips a payment that is due or held.");
        group.MapPost("/check", CheckAsync).WithName("CheckStatementsForPayments").WithSummary("Looks through the imported statements for lines carrying the references of open payments, and settles them.");
        group.MapGet("/history", HistoryAsync).WithName("GetPaymentHistory").WithSummary("Settled giving per payee and month (?months=12).");

        group.MapGet("/payees", ListPayeesAsync).WithName("ListPayees").WithSummary("Every payee, with instructions waiting for approval.");
        group.MapPost("/payees", AddPayeeAsync).WithName("AddPayee").WithSummary("Adds a payee by hand: name and IBAN (ISO 13616, mod-97 checked), optional BIC.");
        group.MapPost("/payees/qr", AddPayeeFromQrAsync).WithName("AddPayeeFromQr").WithSummary("Adds the payee of an EPC QR code (GiroCode) from its text.");
        group.MapPost("/payees/qr-image", AddPayeeFromQrImageAsync).WithName("AddPayeeFromQrImage").WithSummary("Adds the payee of an EPC QR code read from an image (PNG, JPEG, GIF, BMP or WebP; at most 5 MiB and 4000 × 4000 pixels).")
            .Accepts<byte[]>("image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp", "application/octet-stream");
        group.MapDelete("/payees/{id:guid}", DeletePayeeAsync).WithName("DeletePayee").WithSummary("Removes a payee: its pledges end, its open payments are cancelled; settled ones and their records stay.");
        group.MapPost("/payees/{id:guid}/approve", ApproveAsync).WithName("ApprovePayeeInstructions").WithSummary("Approves the instructions a vendor published; payments held for an IBAN change become due to the new IBAN.");
        group.MapPost("/payees/{id:guid}/reject", RejectAsync).WithName("RejectPayeeInstructions").WithSummary("Rejects them; the approved instructions stay.");

        group.MapGet("/pledges", ListPledgesAsync).WithName("ListPledges").WithSummary("Every pledge, with what this period's use comes to for per-use pledges (computed here, sent nowhere).");
        group.MapPost("/pledges", CreatePledgeAsync).WithName("CreatePledge").WithSummary("Pledges a fixed amount per month, quarter or year, or an amount per use up to a cap.");
        group.MapDelete("/pledges/{id:guid}", EndPledgeAsync).WithName("EndPledge").WithSummary("Ends a pledge: nothing new falls due; open payments stay.");

        group.MapGet("/budget", GetBudgetAsync).WithName("GetPaymentBudget").WithSummary("This month against the budget.");
        group.MapPut("/budget", SetBudgetAsync).WithName("SetPaymentBudget").WithSummary("Sets the monthly budget across all payees and the rule for pledges over it (scale or hold).");
        group.MapDelete("/budget", ClearBudgetAsync).WithName("ClearPaymentBudget").WithSummary("Removes the budget.");

        group.MapGet("/records", ListRecordsAsync).WithName("ListPaymentRecords").WithSummary("Every signed payment record, newest first.");
        group.MapGet("/records/{id:guid}", GetRecordAsync).WithName("GetPaymentRecord").WithSummary("One signed payment record: the signed bytes and both signatures, the same document the payee downloads; ?download=1 sends it as a file to save.");
        return group;
    }

    internal static async Task<Ok<PaymentsOverview>> OverviewAsync(VaultSession session, PaymentService payments, CancellationToken ct) =>
        TypedResults.Ok(await payments.OverviewAsync(session, ct));

    internal static async Task<Ok<IReadOnlyList<PaymentView>>> ListAsync(string? status, VaultSession session, PaymentService payments, CancellationToken ct)
    {
        await payments.RefreshAsync(session, ct);
        var all = await payments.ListPaymentRecordsAsync(session.Keys, ct);
        return TypedResults.Ok<IReadOnlyList<PaymentView>>([.. all
            .Where(p => string.IsNullOrEmpty(status) || p.Value.Status == status)
            .OrderByDescending(p => p.Value.DueAt)
            .Select(p => PaymentViews.Payment(p.Record, p.Value))]);
    }

    internal static async Task<Ok<PaymentView>> GetAsync(Guid id, VaultSession session, PaymentService payments, CancellationToken ct)
    {
        var (record, value) = await payments.GetPaymentAsync(session.Keys, id, ct);
        return TypedResults.Ok(PaymentViews.Payment(record, value));
    }

    internal static async Task<Ok<PaymentQr>> QrAsync(Guid id, VaultSession session, PaymentService payments, HttpContext http, CancellationToken ct)
    {
        var (payload, transfer) = await payments.QrAsync(session.Keys, id, ct);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new PaymentQr(payload, transfer.Name, Iban.Format(transfer.Iban), transfer.Amount, transfer.Currency, CreditorReference.Format(transfer.Reference!)));
    }

    internal static async Task<FileContentHttpResult> QrPngAsync(Guid id, VaultSession session, PaymentService payments, HttpContext http, CancellationToken ct)
    {
        var (payload, _) = await payments.QrAsync(session.Keys, id, ct);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.File(EpcQr.RenderPng(payload), "image/png", $"payment-{id}.png");
    }

    internal static async Task<Ok<PaymentView>> MarkPaidAsync(Guid id, MarkPaidInput? input, VaultSession session, PaymentService payments, CancellationToken ct)
    {
        var (record, value) = await payments.MarkPaidAsync(session, id, input ?? new MarkPaidInput(), ct);
        return TypedResults.Ok(PaymentViews.Payment(record, value));
    }

    internal static async Task<Ok<PaymentView>> ReleaseAsync(Guid id, VaultSession session, PaymentService payments, CancellationToken ct)
    {
        var (record, value) = await payments.ReleaseAsync(session, id, ct);
        return TypedResults.Ok(PaymentViews.Payment(record, value));
    }

    internal static async Task<Ok<PaymentView>> CancelAsync(Guid id, VaultSession session, PaymentService payments, CancellationToken ct)
    {
        var (record, value) = await payments.CancelAsync(session, id, ct);
        return TypedResults.Ok(PaymentViews.Payment(record, value));
    }

    internal static async Task<Ok<SettlementCheck>> CheckAsync(VaultSession session, PaymentService payments, PaymentSettlement settlement, CancellationToken ct)
    {
        await payments.RefreshAsync(session, ct);
        return TypedResults.Ok(await settlement.CheckAsync(session, ct));
    }

    internal static async Task<Ok<PaymentHistory>> HistoryAsync(int? months, VaultSession session, PaymentService payments, CancellationToken ct) =>
        TypedResults.Ok(await payments.HistoryAsync(session.Keys, months ?? 12, ct));

    internal static async Task<Ok<IReadOnlyList<PayeeView>>> ListPayeesAsync(VaultSession session, PaymentService payments, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<PayeeView>>([.. (await payments.ListPayeesAsync(session.Keys, ct)).Select(p => PaymentViews.Payee(p.Record, p.Value))]);

    internal static async Task<Created<PayeeView>> AddPayeeAsync(PayeeInput input, VaultSession session, PaymentService payments, CancellationToken ct)
    {
        var (record, value) = await payments.AddPayeeAsync(session.Keys, input, ct: ct);
        return TypedResults.Created($"/owner/api/v1/payments/payees/{record.Id}", PaymentViews.Payee(record, value));
    }

    internal static async Task<Created<PayeeView>> AddPayeeFromQrAsync(EpcQrTextInput input, VaultSession session, PaymentService payments, CancellationToken ct)
    {
        var (record, value) = await payments.AddPayeeFromQrTextAsync(session.Keys, input.Text, ct);
        return TypedResults.Created($"/owner/api/v1/payments/payees/{record.Id}", PaymentViews.Payee(record, value));
    }

    internal static async Task<Created<PayeeView>> AddPayeeFromQrImageAsync(HttpRequest request, VaultSession session, PaymentService payments, CancellationToken ct)
    {
        var image = await ReadImageAsync(request, ct);
        var (record, value) = await payments.AddPayeeFromQrImageAsync(session.Keys, image, ct);
        return TypedResults.Created($"/owner/api/v1/payments/payees/{record.Id}", PaymentViews.Payee(record, value));
    }

    /// <summary>Reads an uploaded image, refusing more than <see cref="MaxImageBytes"/> before reading it all.</summary>
    internal static async Task<ReadOnlyMemory<byte>> ReadImageAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxImageBytes)
        {
            throw new PaymentInputException("image", "At most 5 MiB.");
        }

        using var body = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, ct)) > 0)
        {
            if (body.Length + read > MaxImageBytes)
            {
                throw new PaymentInputException("image", "At most 5 MiB.");
            }

            body.Write(buffer, 0, read);
        }

        return body.GetBuffer().AsMemory(0, (int)body.Length);
    }

    internal static async Task<NoContent> DeletePayeeAsync(Guid id, VaultSession session, PaymentService payments, CancellationToken ct)
    {
        await payments.DeletePayeeAsync(session, id, ct);
        return TypedResults.NoContent();
    }

    internal static async Task<Ok<PayeeView>> ApproveAsync(Guid id, VaultSession session, PaymentService payments, CancellationToken ct)
    {
        var (record, value) = await payments.ApproveInstructionsAsync(session, id, ct);
        return TypedResults.Ok(PaymentViews.Payee(record, value));
    }

    internal static async Task<Ok<PayeeView>> RejectAsync(Guid id, VaultSession session, PaymentService payments, CancellationToken ct)
    {
        var (record, value) = await payments.RejectInstructionsAsync(session, id, ct);
        return TypedResults.Ok(PaymentViews.Payee(record, value));
    }

    internal static async Task<Ok<IReadOnlyList<PledgeView>>> ListPledgesAsync(VaultSession session, PaymentService payments, CancellationToken ct) =>
        TypedResults.Ok(await payments.ListPledgesAsync(session.Keys, ct));

    internal static async Task<Created<PledgeView>> CreatePledgeAsync(PledgeInput input, VaultSession session, PaymentService payments, CancellationToken ct)
    {
        var (record, _) = await payments.CreatePledgeAsync(session, input, ct);
        var view = (await payments.ListPledgesAsync(session.Keys, ct)).Single(p => p.Id == record.Id);
        return TypedResults.Created($"/owner/api/v1/payments/pledges/{record.Id}", view);
    }

    internal static async Task<Ok<PledgeView>> EndPledgeAsync(Guid id, VaultSession session, PaymentService payments, CancellationToken ct)
    {
        await payments.EndPledgeAsync(session, id, ct);
        return TypedResults.Ok((await payments.ListPledgesAsync(session.Keys, ct)).Single(p => p.Id == id));
    }

    internal static async Task<Ok<BudgetView>> GetBudgetAsync(VaultSession session, PaymentService payments, CancellationToken ct) =>
        TypedResults.Ok(await payments.GetBudgetAsync(session.Keys, ct));

    internal static async Task<Ok<BudgetView>> SetBudgetAsync(BudgetInput input, VaultSession session, PaymentService payments, CancellationToken ct) =>
        TypedResults.Ok(await payments.SetBudgetAsync(session, input, ct));

    internal static async Task<Ok<BudgetView>> ClearBudgetAsync(VaultSession session, PaymentService payments, CancellationToken ct) =>
        TypedResults.Ok(await payments.ClearBudgetAsync(session, ct));

    internal static async Task<Ok<IReadOnlyList<PaymentRecord>>> ListRecordsAsync(VaultSession session, PaymentService payments, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<PaymentRecord>>([.. (await payments.ListSignedAsync(session.Keys, ct)).OrderByDescending(r => r.Record.Id).Select(r => PaymentService.ToContract(r.Value))]);

    /// <summary>One signed record; <c>?download=1</c> (the web app's "Download record") asks the browser to save it as a file.</summary>
    internal static async Task<Ok<PaymentRecord>> GetRecordAsync(Guid id, string? download, VaultSession session, PaymentService payments, HttpContext http, CancellationToken ct)
    {
        var record = PaymentService.ToContract((await payments.GetSignedAsync(session.Keys, id, null, ct)).Value);
        if (download is "1" or "true")
        {
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"payment-record-{id}.json\"";
        }

        return TypedResults.Ok(record);
    }
}
