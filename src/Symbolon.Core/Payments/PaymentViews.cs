using Symbolon.Contracts.Payments;
using Symbolon.Core.Records;

namespace Symbolon.Core.Payments;

/// <summary>Turns the module's records into the owner API's views.</summary>
internal static class PaymentViews
{
    public static PayeeView Payee(CurrentRecord record, PayeeValue value) => new(
        record.Id,
        value.Name,
        value.Iban.Length == 0 ? "" : Iban.Format(value.Iban),
        value.Bic,
        value.WalletAddress,
        value.Source,
        value.RelationshipId,
        value.Offers,
        value.SuggestedAmounts,
        value.Pending is { } p
            ? new PendingInstructions(p.LegalName, Iban.Format(p.Iban), p.Bic, p.WalletAddress, p.Offers, p.SuggestedAmounts, value.Iban.Length > 0 && value.Iban != p.Iban, p.PublishedAt)
            : null,
        record.CreatedAt);

    public static PledgeView Pledge(CurrentRecord record, PledgeValue value, string payeeName, PledgeSuggestion? suggestion) => new(
        record.Id, value.PayeeId, payeeName, value.Kind, value.Amount, PaymentService.Currency, value.Period, value.Cap, value.UsageSource, value.UsageUnit,
        value.ShareName, value.Active, record.CreatedAt, suggestion);

    public static PaymentView Payment(CurrentRecord record, PaymentValue value) => new(
        record.Id,
        value.PayeeId,
        value.PayeeName,
        value.PledgeId,
        value.Period,
        value.Amount,
        value.Pledged,
        PaymentService.Currency,
        CreditorReference.Format(value.Reference),
        value.Status,
        value.HeldReason,
        value.Settlements.Sum(s => s.Amount),
        [.. value.Settlements.Select(s => new SettlementView(s.Method, s.Date, s.Amount, s.Account))],
        value.Warning,
        value.Basis,
        value.DueAt,
        value.SettledAt,
        value.RecordId);
}
