using System.Net.Http.Headers;
using Symbolon.Contracts.Payments;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Payments;

namespace Symbolon.Cli.Operations;

/// <summary>Payments (EmanciPay), the same in both modes.</summary>
internal partial interface IOwnerOperations
{
    Task<IReadOnlyList<PayeeView>> ListPayeesAsync(CancellationToken ct);

    Task<PayeeView> AddPayeeAsync(PayeeInput input, CancellationToken ct);

    /// <summary>Adds the payee of an EPC QR code from its text.</summary>
    Task<PayeeView> AddPayeeFromQrTextAsync(string text, CancellationToken ct);

    /// <summary>Adds the payee of an EPC QR code read from an image.</summary>
    Task<PayeeView> AddPayeeFromQrImageAsync(byte[] image, CancellationToken ct);

    Task<PayeeView> ApprovePayeeAsync(Guid id, CancellationToken ct);

    Task<PayeeView> RejectPayeeAsync(Guid id, CancellationToken ct);

    /// <summary>Removes a payee: its pledges end and its open payments are cancelled.</summary>
    Task RemovePayeeAsync(Guid id, CancellationToken ct);

    Task<IReadOnlyList<PledgeView>> ListPledgesAsync(CancellationToken ct);

    Task<PledgeView> CreatePledgeAsync(PledgeInput input, CancellationToken ct);

    Task<PledgeView> EndPledgeAsync(Guid id, CancellationToken ct);

    Task<BudgetView> GetBudgetAsync(CancellationToken ct);

    Task<BudgetView> SetBudgetAsync(BudgetInput input, CancellationToken ct);

    Task<BudgetView> ClearBudgetAsync(CancellationToken ct);

    /// <summary>The budget and every open payment; makes due what the pledges owe up to today first.</summary>
    Task<PaymentsOverview> GetPaymentsOverviewAsync(CancellationToken ct);

    /// <summary>Looks through the imported statements for the references of open payments.</summary>
    Task<SettlementCheck> CheckPaymentsAsync(CancellationToken ct);

    Task<PaymentView> MarkPaymentPaidAsync(Guid id, MarkPaidInput input, CancellationToken ct);

    Task<PaymentView> ReleasePaymentAsync(Guid id, CancellationToken ct);

    /// <summary>Skips (cancels) a payment that is due or held.</summary>
    Task<PaymentView> SkipPaymentAsync(Guid id, CancellationToken ct);

    Task<PaymentQr> GetPaymentQrAsync(Guid id, CancellationToken ct);

    Task<byte[]> GetPaymentQrPngAsync(Guid id, CancellationToken ct);

    Task<PaymentHistory> GetPaymentHistoryAsync(int months, CancellationToken ct);

    Task<IReadOnlyList<PaymentRecord>> ListPaymentRecordsAsync(CancellationToken ct);

    Task<PaymentRecord> GetPaymentRecordAsync(Guid id, CancellationToken ct);
}

/// <summary>Payments in this process, with the same services and views as the server's owner API.</summary>
internal sealed partial class LocalOwnerOperations
{
    public async Task<IReadOnlyList<PayeeView>> ListPayeesAsync(CancellationToken ct) =>
        [.. (await (await GetAsync<PaymentService>(ct)).ListPayeesAsync(await KeysAsync(ct), ct)).Select(p => PaymentViews.Payee(p.Record, p.Value))];

    public async Task<PayeeView> AddPayeeAsync(PayeeInput input, CancellationToken ct)
    {
        var (record, value) = await (await GetAsync<PaymentService>(ct)).AddPayeeAsync(await KeysAsync(ct), input, ct: ct);
        return PaymentViews.Payee(record, value);
    }

    public async Task<PayeeView> AddPayeeFromQrTextAsync(string text, CancellationToken ct)
    {
        var (record, value) = await (await GetAsync<PaymentService>(ct)).AddPayeeFromQrTextAsync(await KeysAsync(ct), text, ct);
        return PaymentViews.Payee(record, value);
    }

    public async Task<PayeeView> AddPayeeFromQrImageAsync(byte[] image, CancellationToken ct)
    {
        if (image.Length > EpcQr.MaxImageBytes)
        {
            throw new PaymentInputException("image", "At most 5 MiB.");
        }

        var (record, value) = await (await GetAsync<PaymentService>(ct)).AddPayeeFromQrImageAsync(await KeysAsync(ct), image, ct);
        return PaymentViews.Payee(record, value);
    }

    public async Task<PayeeView> ApprovePayeeAsync(Guid id, CancellationToken ct)
    {
        var (record, value) = await (await GetAsync<PaymentService>(ct)).ApproveInstructionsAsync(await SessionAsync(ct), id, ct);
        return PaymentViews.Payee(record, value);
    }

    public async Task<PayeeView> RejectPayeeAsync(Guid id, CancellationToken ct)
    {
        var (record, value) = await (await GetAsync<PaymentService>(ct)).RejectInstructionsAsync(await SessionAsync(ct), id, ct);
        return PaymentViews.Payee(record, value);
    }

    public async Task RemovePayeeAsync(Guid id, CancellationToken ct) =>
        await (await GetAsync<PaymentService>(ct)).DeletePayeeAsync(await SessionAsync(ct), id, ct);

    public async Task<IReadOnlyList<PledgeView>> ListPledgesAsync(CancellationToken ct) =>
        await (await GetAsync<PaymentService>(ct)).ListPledgesAsync(await KeysAsync(ct), ct);

    public async Task<PledgeView> CreatePledgeAsync(PledgeInput input, CancellationToken ct)
    {
        var (payments, session) = (await GetAsync<PaymentService>(ct), await SessionAsync(ct));
        var (record, _) = await payments.CreatePledgeAsync(session, input, ct);
        return (await payments.ListPledgesAsync(session.Keys, ct)).Single(p => p.Id == record.Id);
    }

    public async Task<PledgeView> EndPledgeAsync(Guid id, CancellationToken ct)
    {
        var (payments, session) = (await GetAsync<PaymentService>(ct), await SessionAsync(ct));
        await payments.EndPledgeAsync(session, id, ct);
        return (await payments.ListPledgesAsync(session.Keys, ct)).Single(p => p.Id == id);
    }

    public async Task<BudgetView> GetBudgetAsync(CancellationToken ct) =>
        await (await GetAsync<PaymentService>(ct)).GetBudgetAsync(await KeysAsync(ct), ct);

    public async Task<BudgetView> SetBudgetAsync(BudgetInput input, CancellationToken ct) =>
        await (await GetAsync<PaymentService>(ct)).SetBudgetAsync(await SessionAsync(ct), input, ct);

    public async Task<BudgetView> ClearBudgetAsync(CancellationToken ct) =>
        await (await GetAsync<PaymentService>(ct)).ClearBudgetAsync(await SessionAsync(ct), ct);

    public async Task<PaymentsOverview> GetPaymentsOverviewAsync(CancellationToken ct) =>
        await (await GetAsync<PaymentService>(ct)).OverviewAsync(await SessionAsync(ct), ct);

    public async Task<SettlementCheck> CheckPaymentsAsync(CancellationToken ct)
    {
        // As the server's check: what the pledges owe up to today falls due first, so today's lines can settle it.
        var session = await SessionAsync(ct);
        await (await GetAsync<PaymentService>(ct)).RefreshAsync(session, ct);
        return await (await GetAsync<PaymentSettlement>(ct)).CheckAsync(session, ct);
    }

    public async Task<PaymentView> MarkPaymentPaidAsync(Guid id, MarkPaidInput input, CancellationToken ct)
    {
        var (record, value) = await (await GetAsync<PaymentService>(ct)).MarkPaidAsync(await SessionAsync(ct), id, input, ct);
        return PaymentViews.Payment(record, value);
    }

    public async Task<PaymentView> ReleasePaymentAsync(Guid id, CancellationToken ct)
    {
        var (record, value) = await (await GetAsync<PaymentService>(ct)).ReleaseAsync(await SessionAsync(ct), id, ct);
        return PaymentViews.Payment(record, value);
    }

    public async Task<PaymentView> SkipPaymentAsync(Guid id, CancellationToken ct)
    {
        var (record, value) = await (await GetAsync<PaymentService>(ct)).CancelAsync(await SessionAsync(ct), id, ct);
        return PaymentViews.Payment(record, value);
    }

    public async Task<PaymentQr> GetPaymentQrAsync(Guid id, CancellationToken ct)
    {
        var (payload, transfer) = await (await GetAsync<PaymentService>(ct)).QrAsync(await KeysAsync(ct), id, ct);
        return new PaymentQr(payload, transfer.Name, Iban.Format(transfer.Iban), transfer.Amount, transfer.Currency, CreditorReference.Format(transfer.Reference!));
    }

    public async Task<byte[]> GetPaymentQrPngAsync(Guid id, CancellationToken ct)
    {
        var (payload, _) = await (await GetAsync<PaymentService>(ct)).QrAsync(await KeysAsync(ct), id, ct);
        return EpcQr.RenderPng(payload);
    }

    public async Task<PaymentHistory> GetPaymentHistoryAsync(int months, CancellationToken ct) =>
        await (await GetAsync<PaymentService>(ct)).HistoryAsync(await KeysAsync(ct), months, ct);

    public async Task<IReadOnlyList<PaymentRecord>> ListPaymentRecordsAsync(CancellationToken ct) =>
        [.. (await (await GetAsync<PaymentService>(ct)).ListSignedAsync(await KeysAsync(ct), ct)).OrderByDescending(r => r.Record.Id).Select(r => PaymentService.ToContract(r.Value))];

    public async Task<PaymentRecord> GetPaymentRecordAsync(Guid id, CancellationToken ct) =>
        PaymentService.ToContract((await (await GetAsync<PaymentService>(ct)).GetSignedAsync(await KeysAsync(ct), id, null, ct)).Value);
}

/// <summary>Payments through the running server's owner API (<c>/owner/api/v1/payments</c>).</summary>
internal sealed partial class RemoteOwnerOperations
{
    private const string Payments = "payments/";

    public async Task<IReadOnlyList<PayeeView>> ListPayeesAsync(CancellationToken ct) =>
        await SendAsync<List<PayeeView>>(HttpMethod.Get, Payments + "payees", null, authenticated: true, ct);

    public Task<PayeeView> AddPayeeAsync(PayeeInput input, CancellationToken ct) =>
        SendAsync<PayeeView>(HttpMethod.Post, Payments + "payees", input, authenticated: true, ct);

    public Task<PayeeView> AddPayeeFromQrTextAsync(string text, CancellationToken ct) =>
        SendAsync<PayeeView>(HttpMethod.Post, Payments + "payees/qr", new EpcQrTextInput(text), authenticated: true, ct);

    public async Task<PayeeView> AddPayeeFromQrImageAsync(byte[] image, CancellationToken ct)
    {
        var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await SendAsync<PayeeView>(HttpMethod.Post, Payments + "payees/qr-image", content, authenticated: true, ct);
    }

    public Task<PayeeView> ApprovePayeeAsync(Guid id, CancellationToken ct) =>
        SendAsync<PayeeView>(HttpMethod.Post, $"{Payments}payees/{id}/approve", null, authenticated: true, ct);

    public Task<PayeeView> RejectPayeeAsync(Guid id, CancellationToken ct) =>
        SendAsync<PayeeView>(HttpMethod.Post, $"{Payments}payees/{id}/reject", null, authenticated: true, ct);

    public Task RemovePayeeAsync(Guid id, CancellationToken ct) =>
        SendAsync(HttpMethod.Delete, $"{Payments}payees/{id}", null, authenticated: true, ct);

    public async Task<IReadOnlyList<PledgeView>> ListPledgesAsync(CancellationToken ct) =>
        await SendAsync<List<PledgeView>>(HttpMethod.Get, Payments + "pledges", null, authenticated: true, ct);

    public Task<PledgeView> CreatePledgeAsync(PledgeInput input, CancellationToken ct) =>
        SendAsync<PledgeView>(HttpMethod.Post, Payments + "pledges", input, authenticated: true, ct);

    public Task<PledgeView> EndPledgeAsync(Guid id, CancellationToken ct) =>
        SendAsync<PledgeView>(HttpMethod.Delete, $"{Payments}pledges/{id}", null, authenticated: true, ct);

    public Task<BudgetView> GetBudgetAsync(CancellationToken ct) =>
        SendAsync<BudgetView>(HttpMethod.Get, Payments + "budget", null, authenticated: true, ct);

    public Task<BudgetView> SetBudgetAsync(BudgetInput input, CancellationToken ct) =>
        SendAsync<BudgetView>(HttpMethod.Put, Payments + "budget", input, authenticated: true, ct);

    public Task<BudgetView> ClearBudgetAsync(CancellationToken ct) =>
        SendAsync<BudgetView>(HttpMethod.Delete, Payments + "budget", null, authenticated: true, ct);

    public Task<PaymentsOverview> GetPaymentsOverviewAsync(CancellationToken ct) =>
        SendAsync<PaymentsOverview>(HttpMethod.Get, Payments, null, authenticated: true, ct);

    public Task<SettlementCheck> CheckPaymentsAsync(CancellationToken ct) =>
        SendAsync<SettlementCheck>(HttpMethod.Post, Payments + "check", null, authenticated: true, ct);

    public Task<PaymentView> MarkPaymentPaidAsync(Guid id, MarkPaidInput input, CancellationToken ct) =>
        SendAsync<PaymentView>(HttpMethod.Post, $"{Payments}{id}/paid", input, authenticated: true, ct);

    public Task<PaymentView> ReleasePaymentAsync(Guid id, CancellationToken ct) =>
        SendAsync<PaymentView>(HttpMethod.Post, $"{Payments}{id}/release", null, authenticated: true, ct);

    public Task<PaymentView> SkipPaymentAsync(Guid id, CancellationToken ct) =>
        SendAsync<PaymentView>(HttpMethod.Post, $"{Payments}{id}/cancel", null, authenticated: true, ct);

    public Task<PaymentQr> GetPaymentQrAsync(Guid id, CancellationToken ct) =>
        SendAsync<PaymentQr>(HttpMethod.Get, $"{Payments}{id}/qr", null, authenticated: true, ct);

    public async Task<byte[]> GetPaymentQrPngAsync(Guid id, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, $"{Payments}{id}/qr.png", null, authenticated: true, ct);
        return await response.Content.ReadAsByteArrayAsync(ct);
    }

    public Task<PaymentHistory> GetPaymentHistoryAsync(int months, CancellationToken ct) =>
        SendAsync<PaymentHistory>(HttpMethod.Get, FormattableString.Invariant($"{Payments}history?months={months}"), null, authenticated: true, ct);

    public async Task<IReadOnlyList<PaymentRecord>> ListPaymentRecordsAsync(CancellationToken ct) =>
        await SendAsync<List<PaymentRecord>>(HttpMethod.Get, Payments + "records", null, authenticated: true, ct);

    public Task<PaymentRecord> GetPaymentRecordAsync(Guid id, CancellationToken ct) =>
        SendAsync<PaymentRecord>(HttpMethod.Get, $"{Payments}records/{id}", null, authenticated: true, ct);
}
