using System.Buffers.Text;
using System.Globalization;
using System.Text;
using NSec.Cryptography;
using Symbolon.Contracts.Payments;
using Symbolon.Contracts.Statements;
using Symbolon.Core.Payments;
using Symbolon.Core.Statements;
using Symbolon.Core.Tests.Infrastructure;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Tests.Payments;

/// <summary>Pledges make payments due per period, the budget scales or holds them, and a statement line with the reference settles them with a signed record.</summary>
public sealed class PaymentServiceTests
{
    private static PaymentValue Due(decimal amount) =>
        new(Guid.NewGuid(), Guid.NewGuid(), "2026-12", "2026-12", amount, amount, CreditorReference.New(), PaymentStatuses.Due, null, [], null, "", "Radio", "DE89370400440532013000", null,
            DateTimeOffset.UnixEpoch, null, null);

    [Fact]
    public void The_scale_rule_shrinks_new_payments_by_one_factor_to_what_is_left_of_the_budget()
    {
        var fresh = new List<PaymentValue> { Due(20m), Due(10m) };
        PaymentService.ApplyBudget(new BudgetValue(25m, BudgetRules.Scale), [Due(10m)], fresh);

        // 15 left for 30 asked: each halves.
        Assert.Equal([10m, 5m], fresh.Select(p => p.Amount));
        Assert.Equal([20m, 10m], fresh.Select(p => p.Pledged));
        Assert.All(fresh, p => Assert.Equal(PaymentStatuses.Due, p.Status));
        Assert.All(fresh, p => Assert.Contains("scaled to 50 %", p.Basis, StringComparison.Ordinal));
    }

    [Fact]
    public void The_hold_rule_keeps_what_fits_in_pledge_order_and_holds_the_rest()
    {
        var fresh = new List<PaymentValue> { Due(10m), Due(20m), Due(5m) };
        PaymentService.ApplyBudget(new BudgetValue(20m, BudgetRules.Hold), [], fresh);

        Assert.Equal([PaymentStatuses.Due, PaymentStatuses.Held, PaymentStatuses.Due], fresh.Select(p => p.Status));
        Assert.Equal(PaymentService.OverBudgetReason, fresh[1].HeldReason);
        Assert.Equal([10m, 20m, 5m], fresh.Select(p => p.Amount));
    }

    [Fact]
    public void Without_a_budget_or_within_it_nothing_changes()
    {
        var fresh = new List<PaymentValue> { Due(10m) };
        PaymentService.ApplyBudget(null, [], fresh);
        PaymentService.ApplyBudget(new BudgetValue(10m, BudgetRules.Hold), [], fresh);
        Assert.Equal((10m, PaymentStatuses.Due), (fresh[0].Amount, fresh[0].Status));
    }

    [Theory]
    [InlineData(PledgePeriods.Month, "2026-12-07", "2026-12", "2026-12-01", "2027-01-01")]
    [InlineData(PledgePeriods.Quarter, "2026-11-30", "2026-Q4", "2026-10-01", "2027-01-01")]
    [InlineData(PledgePeriods.Quarter, "2026-01-01", "2026-Q1", "2026-01-01", "2026-04-01")]
    [InlineData(PledgePeriods.Year, "2026-07-15", "2026", "2026-01-01", "2027-01-01")]
    public void Periods_are_named_and_bounded_by_the_calendar(string period, string date, string name, string from, string to)
    {
        var day = DateOnly.Parse(date, CultureInfo.InvariantCulture);
        Assert.Equal(name, PaymentService.PeriodOf(period, day));
        Assert.Equal((DateOnly.Parse(from, CultureInfo.InvariantCulture), DateOnly.Parse(to, CultureInfo.InvariantCulture)), PaymentService.Bounds(name));
    }

    [Fact]
    public void Periods_between_two_include_both_ends_across_a_year()
    {
        Assert.Equal(["2026-11", "2026-12", "2027-01"], PaymentService.PeriodsBetween(PledgePeriods.Month, "2026-11", "2027-01"));
        Assert.Equal(["2026-Q4", "2027-Q1"], PaymentService.PeriodsBetween(PledgePeriods.Quarter, "2026-Q4", "2027-Q1"));
    }

    [Fact]
    public async Task A_monthly_pledge_falls_due_each_month_and_a_camt_line_with_its_reference_settles_it_with_a_signed_record()
    {
        await using var vault = await TestVault.CreateAsync();
        var session = new VaultSession(vault.Keys, vault.Store.Time.GetUtcNow());
        var payee = await Use(vault, p => p.AddPayeeAsync(vault.Keys, new PayeeInput("Radio Aurora e.V.", "DE89 3704 0044 0532 0130 00")));
        await Use(vault, p => p.CreatePledgeAsync(session, new PledgeInput(payee.Record.Id, PledgeKinds.Fixed, 5m, PledgePeriods.Month)));

        Assert.Equal(1, await Use(vault, p => p.RefreshAsync(session)));
        Assert.Equal(0, await Use(vault, p => p.RefreshAsync(session)));
        // Into the next month (a small step: ids are UUIDv7 from one process-wide monotonic clock, which other tests'
        // fake clocks share, so no test moves it weeks ahead).
        vault.Store.Time.Advance(TimeSpan.FromDays(8));
        Assert.Equal(1, await Use(vault, p => p.RefreshAsync(session)));

        var payments = await Use(vault, p => p.ListPaymentRecordsAsync(vault.Keys));
        Assert.Equal(["2026-11", "2026-12"], payments.Select(p => p.Value.Period).Order(StringComparer.Ordinal));
        var first = payments.OrderBy(p => p.Value.Period, StringComparer.Ordinal).First().Value;
        Assert.True(CreditorReference.IsValid(first.Reference));

        // The bank prints the reference in groups of four; a lower amount pays part of it.
        var printed = CreditorReference.Format(first.Reference);
        await ImportAsync(vault, session, Camt(("2026-12-20", 3.00m, printed)));
        var partial = (await Use(vault, p => p.ListPaymentRecordsAsync(vault.Keys))).Single(p => p.Value.Reference == first.Reference).Value;
        Assert.Equal((PaymentStatuses.Partial, 3.00m), (partial.Status, partial.Settlements.Sum(s => s.Amount)));

        await ImportAsync(vault, session, Camt(("2026-12-22", 2.00m, first.Reference)));
        var settled = (await Use(vault, p => p.ListPaymentRecordsAsync(vault.Keys))).Single(p => p.Value.Reference == first.Reference).Value;
        Assert.Equal(PaymentStatuses.Settled, settled.Status);

        var record = (await Use(vault, p => p.GetSignedAsync(vault.Keys, settled.RecordId!.Value, null))).Value;
        var contract = PaymentService.ToContract(record);
        Assert.Equal((5.00m, "EUR", first.Reference, first.Period, "statement", new DateOnly(2026, 12, 22)),
            (contract.Content.Amount, contract.Content.Currency, contract.Content.Reference, contract.Content.Period, contract.Content.Evidence.Method, contract.Content.Evidence.Date));
        Assert.Null(contract.Content.SupporterName);
        var key = PublicKey.Import(SignatureAlgorithm.Ed25519, Base64Url.DecodeFromChars(contract.Content.PersonKey), KeyBlobFormat.RawPublicKey);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(key, Base64Url.DecodeFromChars(contract.SignedContent), Base64Url.DecodeFromChars(contract.PersonSignature)));

        // The same statement again adds nothing; a second payment with the reference is shown as paid twice, with one record.
        await ImportAsync(vault, session, Camt(("2026-12-22", 2.00m, first.Reference)));
        await ImportAsync(vault, session, Camt(("2026-12-23", 5.00m, first.Reference)));
        var twice = (await Use(vault, p => p.ListPaymentRecordsAsync(vault.Keys))).Single(p => p.Value.Reference == first.Reference).Value;
        Assert.StartsWith("Paid twice", twice.Warning, StringComparison.Ordinal);
        Assert.Single(await Use(vault, p => p.ListSignedAsync(vault.Keys)));
    }

    private static async Task<T> Use<T>(TestVault vault, Func<PaymentService, Task<T>> act)
    {
        using var scope = vault.Store.Open();
        return await act(scope.Get<PaymentService>());
    }

    private static async Task ImportAsync(TestVault vault, VaultSession session, byte[] camt)
    {
        vault.Store.Time.Advance(TimeSpan.FromSeconds(1));
        using var scope = vault.Store.Open();
        await scope.Get<StatementImporter>().ImportAsync(session, camt, new ImportRequest(StatementFormats.Camt));
    }

    /// <summary>A camt.053 statement whose debit lines carry a structured creditor reference, as banks book SEPA transfers.</summary>
    internal static byte[] Camt(params (string Date, decimal Amount, string Reference)[] lines)
    {
        var entries = new StringBuilder();
        var n = 0;
        foreach (var (date, amount, reference) in lines)
        {
            n++;
            entries.Append(CultureInfo.InvariantCulture, $"""
                <Ntry><Amt Ccy="EUR">{amount.ToString("0.00", CultureInfo.InvariantCulture)}</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
                <BookgDt><Dt>{date}</Dt></BookgDt><ValDt><Dt>{date}</Dt></ValDt><AcctSvcrRef>{reference.Replace(" ", "", StringComparison.Ordinal)}-{date}-{n}</AcctSvcrRef>
                <NtryDtls><TxDtls><RltdPties><Cdtr><Nm>Radio Aurora e.V.</Nm></Cdtr></RltdPties>
                <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp><Ref>{reference}</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>
                """);
        }

        return Encoding.UTF8.GetBytes($"""
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-12-31T10:00:00</CreDtTm></GrpHdr>
            <Stmt><Id>S1</Id><CreDtTm>2026-12-31T10:00:00</CreDtTm><Acct><Id><IBAN>DE02120300000000202051</IBAN></Id><Ccy>EUR</Ccy></Acct>
            {entries}</Stmt></BkToCstmrStmt></Document>
            """);
    }
}
