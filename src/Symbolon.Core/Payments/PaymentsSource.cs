using Symbolon.Contracts.Conversations;
using Symbolon.Core.Conversations;

namespace Symbolon.Core.Payments;

/// <summary>A relationship's payments in its conversation: instructions the vendor published, and every payment settled to it.</summary>
internal sealed class PaymentsSource(PaymentService payments) : IThreadSource
{
    public async Task<IEnumerable<ThreadEntry>> ReadAsync(ThreadContext context, CancellationToken ct)
    {
        var entries = new List<ThreadEntry>();
        var payee = (await payments.ListPayeesAsync(context.Keys, ct)).FirstOrDefault(p => p.Value.RelationshipId == context.Relationship.Id);
        if (payee.Record is null)
        {
            return entries;
        }

        if (payee.Value.Pending is { } pending)
        {
            entries.Add(new ThreadEntry("instructions-" + pending.InstructionsRecordId, ThreadEntryKinds.PaymentInstructions, pending.PublishedAt, ThreadParties.Vendor,
                "Published how to pay them", payee.Value.Iban.Length > 0 && payee.Value.Iban != pending.Iban
                    ? "Their IBAN changed: approve it before the next payment."
                    : "Approve it in Payments to support them.", Link: "/payments/payees"));
        }

        foreach (var (record, payment) in await payments.ListPaymentRecordsAsync(context.Keys, ct))
        {
            if (payment.PayeeId == payee.Record.Id && payment.Status == Contracts.Payments.PaymentStatuses.Settled && payment.SettledAt is { } at)
            {
                entries.Add(new ThreadEntry(record.Id.ToString(), ThreadEntryKinds.Payment, at, ThreadParties.Person,
                    $"Paid {PaymentService.Eur(payment.Amount)} for {payment.Period}", "Signed payment record sent.", Link: "/payments/history"));
            }
        }

        return entries;
    }
}
