using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using NSec.Cryptography;
using Symbolon.Contracts.Payments;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Records;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Core.Validation;
using Symbolon.Core.Vaults;
using Symbolon.Core.Webhooks;

namespace Symbolon.Core.Payments;

/// <summary>
/// EmanciPay, the person's side: payees (added by hand, from an EPC QR code, or published by a related vendor and
/// approved), pledges, the monthly budget, the payments they make due, and settlement. Symbolon never holds money:
/// each payment is an EPC QR code the person's banking app pays, and it settles when a line of the person's own bank
/// statement carries its creditor reference (or the person says it was paid). A settled payment gets a record both
/// sides sign. The rail is SEPA credit transfer, so amounts are in EUR; a payment names its rail (<c>sepa</c>) so a
/// second one plugs in beside it without changing pledges, budgets or records.
/// </summary>
internal sealed partial class PaymentService(
    RecordStore records,
    SymbolonDbContext db,
    RelationshipService relationships,
    PaymentUsage usage,
    TimeProvider time)
{
    public const string Currency = "EUR";
    public const string SepaRail = "sepa";
    public const decimal MaxPledgeAmount = 10_000m;
    public const decimal MaxBudget = 100_000m;
    public const int MaxPayees = 500;
    public const int MaxPledges = 500;

    /// <summary>At most this many missed periods of one pledge fall due at once (a vault left alone for years).</summary>
    public const int MaxCatchUpPeriods = 12;

    private static readonly JsonSerializerOptions CanonicalJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // ---- payees ----

    public async Task<IReadOnlyList<(CurrentRecord Record, PayeeValue Value)>> ListPayeesAsync(VaultKeys keys, CancellationToken ct = default) =>
        [.. (await records.ListAsync(keys, PaymentRecordTypes.Payee, ct)).Where(r => r.Type == PaymentRecordTypes.Payee).Select(r => (r, VaultJson.Deserialize<PayeeValue>(r.Json)))];

    public async Task<(CurrentRecord Record, PayeeValue Value)> GetPayeeAsync(VaultKeys keys, Guid id, CancellationToken ct = default)
    {
        var record = await records.FindAsync(keys, id, ct);
        if (record is null || record.Type != PaymentRecordTypes.Payee)
        {
            throw PaymentProblemException.PayeeNotFound();
        }

        return (record, VaultJson.Deserialize<PayeeValue>(record.Json));
    }

    /// <summary>Adds a payee by hand: a name and an IBAN (checked with ISO 13616's mod-97 rule).</summary>
    public async Task<(CurrentRecord Record, PayeeValue Value)> AddPayeeAsync(VaultKeys keys, PayeeInput input, string source = "manual", CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        var name = Name(errors, "name", input.Name);
        var iban = CheckIban(errors, "iban", input.Iban);
        var bic = CheckBic(errors, "bic", input.Bic);
        errors.ThrowIfAny();
        await EnsureRoomAsync(keys, PaymentRecordTypes.Payee, MaxPayees, "payees", ct);
        var value = new PayeeValue(name!, iban!, bic, null, source, null, null, [], null, PairwiseIds.NewSubject(), time.GetUtcNow());
        var record = await records.CreateAsync(keys, PaymentRecordTypes.Payee, VaultJson.Serialize(value), Actor.Owner, ct);
        return (record, value);
    }

    /// <summary>Adds the payee of an EPC QR code (GiroCode) from its text.</summary>
    public Task<(CurrentRecord Record, PayeeValue Value)> AddPayeeFromQrTextAsync(VaultKeys keys, string text, CancellationToken ct = default)
    {
        var transfer = EpcQr.Parse(text ?? "");
        return AddPayeeAsync(keys, new PayeeInput(transfer.Name, transfer.Iban, transfer.Bic), "qr", ct);
    }

    /// <summary>Adds the payee of an EPC QR code read from an image (a photo or a screenshot of it).</summary>
    public Task<(CurrentRecord Record, PayeeValue Value)> AddPayeeFromQrImageAsync(VaultKeys keys, ReadOnlyMemory<byte> image, CancellationToken ct = default)
    {
        var transfer = EpcQr.DecodeImage(image, ct);
        return AddPayeeAsync(keys, new PayeeInput(transfer.Name, transfer.Iban, transfer.Bic), "qr", ct);
    }

    /// <summary>Removes a payee: its pledges end and its open payments are cancelled; settled payments and their records stay.</summary>
    public async Task DeletePayeeAsync(VaultSession session, Guid id, CancellationToken ct = default)
    {
        var keys = session.Keys;
        await using var gate = await PaymentsGate.EnterAsync(session, ct);
        var (payee, _) = await GetPayeeAsync(keys, id, ct);
        foreach (var (record, pledge) in await ListPledgeRecordsAsync(keys, ct))
        {
            if (pledge.PayeeId == id && pledge.Active)
            {
                await records.UpdateAsync(keys, record.Id, VaultJson.Serialize(pledge with { Active = false, EndedAt = time.GetUtcNow() }), Actor.Owner, record.Version, ct);
            }
        }

        foreach (var (record, payment) in await ListPaymentRecordsAsync(keys, ct))
        {
            if (payment.PayeeId == id && payment.Status is PaymentStatuses.Due or PaymentStatuses.Held)
            {
                await records.UpdateAsync(keys, record.Id, VaultJson.Serialize(payment with { Status = PaymentStatuses.Cancelled, HeldReason = null }), Actor.Owner, record.Version, ct);
            }
        }

        await records.DeleteAsync(keys, payee.Id, Actor.Owner, payee.Version, ct);
    }

    /// <summary>
    /// A related vendor publishes how it can be paid. The first instructions create its payee, waiting for approval;
    /// later ones wait beside the approved ones. Publishing the approved instructions again changes nothing.
    /// </summary>
    public async Task<PaymentInstructionsResult> PublishInstructionsAsync(VaultSession session, RelationshipEntity relationship, PaymentInstructionsInput input, CancellationToken ct = default)
    {
        var keys = session.Keys;
        var checkedInput = ValidateInstructions(input);
        await using var gate = await PaymentsGate.EnterAsync(session, ct);
        var existing = (await ListPayeesAsync(keys, ct)).FirstOrDefault(p => p.Value.RelationshipId == relationship.Id);
        if (existing.Record is not null && existing.Value.Pending is null && Same(existing.Value, checkedInput))
        {
            return new PaymentInstructionsResult("approved");
        }

        var now = time.GetUtcNow();
        var published = await records.CreateAsync(keys, PaymentRecordTypes.Instructions, VaultJson.Serialize(checkedInput), Actor.Vendor(relationship.ClientId), ct);
        var pending = new PendingInstructionsValue(checkedInput.LegalName, checkedInput.Iban, checkedInput.Bic, checkedInput.WalletAddress, checkedInput.Offers,
            checkedInput.SuggestedAmounts ?? [], now, published.Id);
        if (existing.Record is null)
        {
            await EnsureRoomAsync(keys, PaymentRecordTypes.Payee, MaxPayees, "payees", ct);
            var value = new PayeeValue(checkedInput.LegalName, "", null, null, "vendor", relationship.Id, checkedInput.Offers, checkedInput.SuggestedAmounts ?? [], pending, relationship.Subject, null);
            await records.CreateAsync(keys, PaymentRecordTypes.Payee, VaultJson.Serialize(value), Actor.Vendor(relationship.ClientId), ct);
        }
        else
        {
            await records.UpdateAsync(keys, existing.Record.Id, VaultJson.Serialize(existing.Value with { Pending = pending }), Actor.Vendor(relationship.ClientId), existing.Record.Version, ct);
            if (existing.Value.Iban.Length > 0 && existing.Value.Iban != checkedInput.Iban)
            {
                await HoldForIbanChangeAsync(keys, existing.Record.Id, ct);
            }
        }

        return new PaymentInstructionsResult("pending");
    }

    /// <summary>The person approves a payee's waiting instructions: the new name and IBAN apply to every open payment.</summary>
    public async Task<(CurrentRecord Record, PayeeValue Value)> ApproveInstructionsAsync(VaultSession session, Guid payeeId, CancellationToken ct = default)
    {
        var keys = session.Keys;
        await using var gate = await PaymentsGate.EnterAsync(session, ct);
        var (record, payee) = await GetPayeeAsync(keys, payeeId, ct);
        var pending = payee.Pending ?? throw PaymentProblemException.NothingPending();
        var value = payee with
        {
            Name = pending.LegalName,
            Iban = pending.Iban,
            Bic = pending.Bic,
            WalletAddress = pending.WalletAddress,
            Offers = pending.Offers,
            SuggestedAmounts = pending.SuggestedAmounts,
            Pending = null,
            ApprovedAt = time.GetUtcNow(),
        };
        var updated = await records.UpdateAsync(keys, record.Id, VaultJson.Serialize(value), Actor.Owner, record.Version, ct);
        await ReleaseIbanHoldsAsync(keys, payeeId, value, ct);
        return (updated, value);
    }

    /// <summary>The person rejects a payee's waiting instructions: the approved ones stay, and payments held for the change are due again to the old IBAN.</summary>
    public async Task<(CurrentRecord Record, PayeeValue Value)> RejectInstructionsAsync(VaultSession session, Guid payeeId, CancellationToken ct = default)
    {
        var keys = session.Keys;
        await using var gate = await PaymentsGate.EnterAsync(session, ct);
        var (record, payee) = await GetPayeeAsync(keys, payeeId, ct);
        if (payee.Pending is null)
        {
            throw PaymentProblemException.NothingPending();
        }

        var value = payee with { Pending = null };
        var updated = await records.UpdateAsync(keys, record.Id, VaultJson.Serialize(value), Actor.Owner, record.Version, ct);
        await ReleaseIbanHoldsAsync(keys, payeeId, value, ct);
        return (updated, value);
    }

    // ---- pledges and the budget ----

    public async Task<(CurrentRecord Record, PledgeValue Value)> CreatePledgeAsync(VaultSession session, PledgeInput input, CancellationToken ct = default)
    {
        var keys = session.Keys;
        var errors = new ValidationErrors();
        var kind = input.Kind?.Trim().ToLowerInvariant();
        if (kind is not (PledgeKinds.Fixed or PledgeKinds.PerUse))
        {
            errors.Add("kind", "fixed (an amount per period) or per_use (an amount per visit or unit of use).");
        }

        var period = input.Period?.Trim().ToLowerInvariant();
        if (period is not (PledgePeriods.Month or PledgePeriods.Quarter or PledgePeriods.Year))
        {
            errors.Add("period", "month, quarter or year.");
        }

        Money(errors, "amount", input.Amount, MaxPledgeAmount);
        string? source = null, unit = null;
        decimal? cap = null;
        if (kind == PledgeKinds.PerUse)
        {
            if (input.Cap is null)
            {
                errors.Add("cap", "A per-use pledge needs a cap: the most to pay in one period.");
            }
            else if (Money(errors, "cap", input.Cap.Value, MaxPledgeAmount) && input.Cap.Value < input.Amount)
            {
                errors.Add("cap", "At least the amount per use.");
            }

            cap = input.Cap;
            source = input.UsageSource?.Trim().ToLowerInvariant();
            if (source is not (UsageSources.Visits or UsageSources.Reported))
            {
                errors.Add("usage_source", "visits (from receipts, loyalty stamps and check-ins) or reported (usage the payee reports).");
            }
            else if (source == UsageSources.Reported)
            {
                unit = input.UsageUnit?.Trim().ToLowerInvariant();
                if (unit is null || !UnitPattern().IsMatch(unit))
                {
                    errors.Add("usage_unit", "The unit to count, 1 to 20 lower-case letters, such as hours.");
                }
            }
        }
        else if (input.Cap is not null)
        {
            errors.Add("cap", "Only a per-use pledge has a cap; a fixed pledge is its own limit.");
        }

        var (_, payee) = await GetPayeeAsync(keys, input.PayeeId, ct);
        if (payee.Iban.Length == 0)
        {
            errors.Add("payee_id", "Approve the payee's payment instructions first.");
        }
        else if (source is not null && payee.RelationshipId is null)
        {
            errors.Add("usage_source", "Only a vendor you relate to has visits or reported usage; pledge a fixed amount to this payee.");
        }

        var budget = await GetBudgetValueAsync(keys, ct);
        if (budget is not null && kind is not null && period is not null && !errors.Any)
        {
            var mostInOneMonth = kind == PledgeKinds.Fixed ? input.Amount : cap ?? 0;
            if (mostInOneMonth > budget.Amount && budget.Rule == BudgetRules.Hold)
            {
                errors.Add(kind == PledgeKinds.Fixed ? "amount" : "cap", "More than your whole monthly budget: it would always be held. Lower it, or raise the budget.");
            }
        }

        errors.ThrowIfAny();
        await EnsureRoomAsync(keys, PaymentRecordTypes.Pledge, MaxPledges, "pledges", ct);
        await using var gate = await PaymentsGate.EnterAsync(session, ct);
        var value = new PledgeValue(input.PayeeId, kind!, input.Amount, period!, cap, source, unit ?? (source == UsageSources.Visits ? "visits" : null),
            input.ShareName, true, PeriodOf(period!, Today()), null);
        var record = await records.CreateAsync(keys, PaymentRecordTypes.Pledge, VaultJson.Serialize(value), Actor.Owner, ct);
        return (record, value);
    }

    /// <summary>Ends a pledge: no new payment falls due; open ones stay until paid or cancelled.</summary>
    public async Task<(CurrentRecord Record, PledgeValue Value)> EndPledgeAsync(VaultSession session, Guid id, CancellationToken ct = default)
    {
        var keys = session.Keys;
        await using var gate = await PaymentsGate.EnterAsync(session, ct);
        var (record, pledge) = await GetPledgeAsync(keys, id, ct);
        if (!pledge.Active)
        {
            return (record, pledge);
        }

        var value = pledge with { Active = false, EndedAt = time.GetUtcNow() };
        return (await records.UpdateAsync(keys, record.Id, VaultJson.Serialize(value), Actor.Owner, record.Version, ct), value);
    }

    public async Task<(CurrentRecord Record, PledgeValue Value)> GetPledgeAsync(VaultKeys keys, Guid id, CancellationToken ct = default)
    {
        var record = await records.FindAsync(keys, id, ct);
        if (record is null || record.Type != PaymentRecordTypes.Pledge)
        {
            throw PaymentProblemException.PledgeNotFound();
        }

        return (record, VaultJson.Deserialize<PledgeValue>(record.Json));
    }

    public async Task<IReadOnlyList<(CurrentRecord Record, PledgeValue Value)>> ListPledgeRecordsAsync(VaultKeys keys, CancellationToken ct = default) =>
        [.. (await records.ListAsync(keys, PaymentRecordTypes.Pledge, ct)).Where(r => r.Type == PaymentRecordTypes.Pledge).Select(r => (r, VaultJson.Deserialize<PledgeValue>(r.Json)))];

    /// <summary>Every pledge with, for per-use ones, what this period's use so far comes to.</summary>
    public async Task<IReadOnlyList<PledgeView>> ListPledgesAsync(VaultKeys keys, CancellationToken ct = default)
    {
        var payees = (await ListPayeesAsync(keys, ct)).ToDictionary(p => p.Record.Id, p => p.Value);
        var views = new List<PledgeView>();
        foreach (var (record, pledge) in await ListPledgeRecordsAsync(keys, ct))
        {
            var payee = payees.GetValueOrDefault(pledge.PayeeId);
            PledgeSuggestion? suggestion = null;
            if (pledge.Kind == PledgeKinds.PerUse && pledge.Active && payee is not null)
            {
                var current = PeriodOf(pledge.Period, Today());
                var (used, amount) = await PerUseAmountAsync(keys, pledge, payee, current, ct);
                suggestion = new PledgeSuggestion(current, used, pledge.UsageUnit ?? "visits", amount, SuggestionSentence(pledge, current, used, amount));
            }

            views.Add(PaymentViews.Pledge(record, pledge, payee?.Name ?? "(removed payee)", suggestion));
        }

        return views;
    }

    public async Task<BudgetView> GetBudgetAsync(VaultKeys keys, CancellationToken ct = default)
    {
        var budget = await GetBudgetValueAsync(keys, ct);
        var month = MonthOf(Today());
        var payments = (await ListPaymentRecordsAsync(keys, ct)).Select(p => p.Value).Where(p => p.Month == month).ToList();
        return new BudgetView(
            budget?.Amount,
            budget?.Rule ?? BudgetRules.Scale,
            Currency,
            month,
            payments.Where(p => p.Status is PaymentStatuses.Due or PaymentStatuses.Partial or PaymentStatuses.Settled).Sum(p => p.Amount),
            payments.Sum(p => Math.Min(p.Amount, p.Settlements.Sum(s => s.Amount))),
            payments.Where(p => p.Status == PaymentStatuses.Held).Sum(p => p.Amount));
    }

    public async Task<BudgetView> SetBudgetAsync(VaultSession session, BudgetInput input, CancellationToken ct = default)
    {
        var keys = session.Keys;
        var errors = new ValidationErrors();
        if (Money(errors, "amount", input.Amount, MaxBudget) && input.Amount < 1)
        {
            errors.Add("amount", "At least EUR 1.00.");
        }

        var rule = input.Rule?.Trim().ToLowerInvariant();
        if (rule is not (BudgetRules.Scale or BudgetRules.Hold))
        {
            errors.Add("rule", "scale (every payment shrinks by the same factor) or hold (payments that do not fit wait for you).");
        }

        errors.ThrowIfAny();
        await using var gate = await PaymentsGate.EnterAsync(session, ct);
        var existing = (await records.ListAsync(keys, PaymentRecordTypes.Budget, ct)).FirstOrDefault(r => r.Type == PaymentRecordTypes.Budget);
        var json = VaultJson.Serialize(new BudgetValue(input.Amount, rule!));
        if (existing is null)
        {
            await records.CreateAsync(keys, PaymentRecordTypes.Budget, json, Actor.Owner, ct);
        }
        else
        {
            await records.UpdateAsync(keys, existing.Id, json, Actor.Owner, existing.Version, ct);
        }

        return await GetBudgetAsync(keys, ct);
    }

    public async Task<BudgetView> ClearBudgetAsync(VaultSession session, CancellationToken ct = default)
    {
        var keys = session.Keys;
        await using var gate = await PaymentsGate.EnterAsync(session, ct);
        var existing = (await records.ListAsync(keys, PaymentRecordTypes.Budget, ct)).FirstOrDefault(r => r.Type == PaymentRecordTypes.Budget);
        if (existing is not null)
        {
            await records.DeleteAsync(keys, existing.Id, Actor.Owner, existing.Version, ct);
        }

        return await GetBudgetAsync(keys, ct);
    }

    private async Task<BudgetValue?> GetBudgetValueAsync(VaultKeys keys, CancellationToken ct)
    {
        var record = (await records.ListAsync(keys, PaymentRecordTypes.Budget, ct)).FirstOrDefault(r => r.Type == PaymentRecordTypes.Budget);
        return record is null ? null : VaultJson.Deserialize<BudgetValue>(record.Json);
    }

    // ---- payments ----

    public async Task<IReadOnlyList<(CurrentRecord Record, PaymentValue Value)>> ListPaymentRecordsAsync(VaultKeys keys, CancellationToken ct = default) =>
        [.. (await records.ListAsync(keys, PaymentRecordTypes.Payment, ct)).Where(r => r.Type == PaymentRecordTypes.Payment).Select(r => (r, VaultJson.Deserialize<PaymentValue>(r.Json)))];

    public async Task<(CurrentRecord Record, PaymentValue Value)> GetPaymentAsync(VaultKeys keys, Guid id, CancellationToken ct = default)
    {
        var record = await records.FindAsync(keys, id, ct);
        if (record is null || record.Type != PaymentRecordTypes.Payment)
        {
            throw PaymentProblemException.PaymentNotFound();
        }

        return (record, VaultJson.Deserialize<PaymentValue>(record.Json));
    }

    /// <summary>
    /// Makes due what the pledges owe up to today: a fixed pledge each period from its first, a per-use pledge each
    /// period that has ended (from the use counted in it, capped; nothing when there was no use). New payments count
    /// in this month's budget, whose rule scales or holds them. A payee whose IBAN change waits for approval gets its
    /// payments held.
    /// </summary>
    public async Task<int> RefreshAsync(VaultSession session, CancellationToken ct = default)
    {
        var keys = session.Keys;
        await using var gate = await PaymentsGate.EnterAsync(session, ct);
        var today = Today();
        var month = MonthOf(today);
        var payees = (await ListPayeesAsync(keys, ct)).ToDictionary(p => p.Record.Id, p => p.Value);
        var payments = await ListPaymentRecordsAsync(keys, ct);
        var owed = payments.Select(p => (p.Value.PledgeId, p.Value.Period)).ToHashSet();
        var fresh = new List<PaymentValue>();
        foreach (var (record, pledge) in (await ListPledgeRecordsAsync(keys, ct)).OrderBy(p => p.Record.Id))
        {
            if (!pledge.Active || !payees.TryGetValue(pledge.PayeeId, out var payee) || payee.Iban.Length == 0)
            {
                continue;
            }

            var current = PeriodOf(pledge.Period, today);
            var periods = PeriodsBetween(pledge.Period, pledge.FirstPeriod, current)
                .Where(p => pledge.Kind == PledgeKinds.Fixed || p != current)
                .Where(p => !owed.Contains((record.Id, p)))
                .TakeLast(MaxCatchUpPeriods);
            foreach (var period in periods)
            {
                decimal amount;
                string basis;
                if (pledge.Kind == PledgeKinds.Fixed)
                {
                    amount = pledge.Amount;
                    basis = $"{Eur(pledge.Amount)} a {pledge.Period}";
                }
                else
                {
                    var (used, perUse) = await PerUseAmountAsync(keys, pledge, payee, period, ct);
                    if (perUse <= 0)
                    {
                        continue;
                    }

                    amount = perUse;
                    basis = $"{Quantity(used)} {pledge.UsageUnit} × {Eur(pledge.Amount)}" + (used * pledge.Amount > perUse ? $", capped at {Eur(pledge.Cap ?? perUse)}" : "");
                }

                fresh.Add(new PaymentValue(pledge.PayeeId, record.Id, period, month, amount, amount, CreditorReference.New(),
                    PaymentStatuses.Due, null, [], null, basis, payee.Name, payee.Iban, payee.Bic,
                    time.GetUtcNow(), null, null));
            }
        }

        if (fresh.Count == 0)
        {
            return 0;
        }

        ApplyBudget(await GetBudgetValueAsync(keys, ct), payments.Select(p => p.Value).Where(p => p.Month == month).ToList(), fresh);

        // Note: the budget first, so that approving a changed IBAN never makes due what the budget held; what fits
        // waits for the approval.
        for (var i = 0; i < fresh.Count; i++)
        {
            if (fresh[i].Status == PaymentStatuses.Due && payees[fresh[i].PayeeId].Pending is { } pending && pending.Iban != payees[fresh[i].PayeeId].Iban)
            {
                fresh[i] = fresh[i] with { Status = PaymentStatuses.Held, HeldReason = IbanChangedReason };
            }
        }

        foreach (var payment in fresh)
        {
            await records.CreateAsync(keys, PaymentRecordTypes.Payment, VaultJson.Serialize(payment), Actor.Owner, ct);
        }

        return fresh.Count;
    }

    internal const string IbanChangedReason = "The payee's IBAN changed. Approve the new instructions, or keep the old IBAN, before paying: a changed IBAN is the classic payment fraud.";
    internal const string OverBudgetReason = "Over this month's budget. Release it to pay anyway, or raise the budget.";

    /// <summary>Scales or holds the new payments so that the month's committed payments stay within the budget.</summary>
    internal static void ApplyBudget(BudgetValue? budget, IReadOnlyList<PaymentValue> thisMonth, List<PaymentValue> fresh)
    {
        if (budget is null)
        {
            return;
        }

        // Payments held only for an IBAN change become due once it is decided: they are committed too.
        var committed = thisMonth.Where(p => p.Status is PaymentStatuses.Due or PaymentStatuses.Partial or PaymentStatuses.Settled
            || (p.Status == PaymentStatuses.Held && p.HeldReason == IbanChangedReason)).Sum(p => p.Amount);
        var remaining = Math.Max(0, budget.Amount - committed);
        var open = fresh.Where(p => p.Status == PaymentStatuses.Due).Select(p => fresh.IndexOf(p)).ToList();
        var total = open.Sum(i => fresh[i].Amount);
        if (total <= remaining)
        {
            return;
        }

        if (budget.Rule == BudgetRules.Scale && remaining > 0)
        {
            var factor = remaining / total;
            foreach (var i in open)
            {
                var scaled = Math.Floor(fresh[i].Amount * factor * 100) / 100;
                fresh[i] = scaled >= 0.01m
                    ? fresh[i] with { Amount = scaled, Basis = fresh[i].Basis + $"; scaled to {(factor * 100).ToString("0", CultureInfo.InvariantCulture)} % to fit the budget" }
                    : fresh[i] with { Status = PaymentStatuses.Held, HeldReason = OverBudgetReason };
            }

            return;
        }

        foreach (var i in open)
        {
            if (fresh[i].Amount <= remaining)
            {
                remaining -= fresh[i].Amount;
            }
            else
            {
                fresh[i] = fresh[i] with { Status = PaymentStatuses.Held, HeldReason = OverBudgetReason };
            }
        }
    }

    /// <summary>Releases a payment held over the budget: the person chose to pay it anyway.</summary>
    public async Task<(CurrentRecord Record, PaymentValue Value)> ReleaseAsync(VaultSession session, Guid id, CancellationToken ct = default)
    {
        var keys = session.Keys;
        await using var gate = await PaymentsGate.EnterAsync(session, ct);
        var (record, payment) = await GetPaymentAsync(keys, id, ct);
        if (payment.Status != PaymentStatuses.Held)
        {
            return payment.Status is PaymentStatuses.Settled or PaymentStatuses.Cancelled ? throw PaymentProblemException.NotOpen(payment.Status) : (record, payment);
        }

        var (_, payee) = await GetPayeeOrRemovedAsync(keys, payment.PayeeId, ct);
        if (payment.HeldReason == IbanChangedReason || payee is { Pending: { } pending } && payee.Iban.Length > 0 && pending.Iban != payee.Iban)
        {
            throw PaymentProblemException.Held("It waits for the payee's new IBAN: approve or reject the payee's instructions first.");
        }

        var value = payment with { Status = payment.Settlements.Count > 0 ? PaymentStatuses.Partial : PaymentStatuses.Due, HeldReason = null };
        return (await records.UpdateAsync(keys, record.Id, VaultJson.Serialize(value), Actor.Owner, record.Version, ct), value);
    }

    /// <summary>Skips a payment that is due or held; nothing was paid of it.</summary>
    public async Task<(CurrentRecord Record, PaymentValue Value)> CancelAsync(VaultSession session, Guid id, CancellationToken ct = default)
    {
        var keys = session.Keys;
        await using var gate = await PaymentsGate.EnterAsync(session, ct);
        var (record, payment) = await GetPaymentAsync(keys, id, ct);
        if (payment.Status is not (PaymentStatuses.Due or PaymentStatuses.Held))
        {
            throw payment.Status == PaymentStatuses.Partial
                ? PaymentProblemException.Held("Part of it was paid already; pay the rest, or mark it paid.")
                : PaymentProblemException.NotOpen(payment.Status);
        }

        var value = payment with { Status = PaymentStatuses.Cancelled, HeldReason = null };
        return (await records.UpdateAsync(keys, record.Id, VaultJson.Serialize(value), Actor.Owner, record.Version, ct), value);
    }

    /// <summary>The EPC QR code of what is left to pay of a payment: its text and a PNG.</summary>
    public async Task<(string Payload, EpcTransfer Transfer)> QrAsync(VaultKeys keys, Guid id, CancellationToken ct = default)
    {
        var (_, payment) = await GetPaymentAsync(keys, id, ct);
        switch (payment.Status)
        {
            case PaymentStatuses.Held:
                throw PaymentProblemException.Held(payment.HeldReason ?? OverBudgetReason);
            case PaymentStatuses.Settled or PaymentStatuses.Cancelled:
                throw PaymentProblemException.NotOpen(payment.Status);
        }

        var left = payment.Amount - payment.Settlements.Sum(s => s.Amount);
        var transfer = new EpcTransfer(payment.PayeeName, payment.Iban, payment.Bic, left, Currency, payment.Reference, null, null, $"EmanciPay {payment.Period}");
        return (EpcQr.BuildPayload(transfer), transfer);
    }

    /// <summary>The person says they paid: the amount (all that is left, by default) on a date (today, by default).</summary>
    public async Task<(CurrentRecord Record, PaymentValue Value)> MarkPaidAsync(VaultSession session, Guid id, MarkPaidInput input, CancellationToken ct = default)
    {
        var keys = session.Keys;
        await using var gate = await PaymentsGate.EnterAsync(session, ct);
        var (record, payment) = await GetPaymentAsync(keys, id, ct);
        if (payment.Status is PaymentStatuses.Settled or PaymentStatuses.Cancelled)
        {
            throw PaymentProblemException.NotOpen(payment.Status);
        }

        if (payment.Status == PaymentStatuses.Held)
        {
            throw PaymentProblemException.Held(payment.HeldReason ?? OverBudgetReason);
        }

        var left = payment.Amount - payment.Settlements.Sum(s => s.Amount);
        var errors = new ValidationErrors();
        var amount = input.Amount ?? left;
        if (Money(errors, "amount", amount, MaxPledgeAmount) && amount > left)
        {
            errors.Add("amount", "More than is left to pay of this payment.");
        }

        var date = input.Date ?? Today();
        if (date > Today() || date < DateOnly.FromDateTime(payment.DueAt.UtcDateTime).AddYears(-1))
        {
            errors.Add("date", "A date from when the payment fell due until today.");
        }

        errors.ThrowIfAny();
        var settled = payment with { Settlements = [.. payment.Settlements, new SettlementValue("manual", date, amount, null, null, null)] };
        return await ConcludeAsync(keys, record, settled, [], ct);
    }

    /// <summary>
    /// Looks through the imported statements for lines paying open payments: money going out, in EUR, whose text
    /// carries a payment's creditor reference. Each line counts once; a payment paid in full settles and gets its
    /// signed record; one paid in part shows what is missing; a reference found on more lines than needed is shown as
    /// paid twice (no second record is made). Lines that paid a payment are put in the "giving" category.
    /// </summary>
    public async Task<SettlementCheck> CheckStatementsAsync(VaultSession session, Statements.TransactionProjection projection, Func<IReadOnlyList<Statements.TransactionRow>, CancellationToken, Task>? categorize, CancellationToken ct = default)
    {
        var keys = session.Keys;
        await using var gate = await PaymentsGate.EnterAsync(session, ct);
        var payments = await ListPaymentRecordsAsync(keys, ct);
        var byReference = payments.Where(p => p.Value.Status != PaymentStatuses.Cancelled).ToDictionary(p => p.Value.Reference, StringComparer.Ordinal);
        if (byReference.Count == 0)
        {
            return new SettlementCheck(0, 0, []);
        }

        var lines = projection.OutgoingWhere(new HashSet<string>(), text => text.Contains("RF", StringComparison.OrdinalIgnoreCase) && CreditorReference.FindIn(text).Any(byReference.ContainsKey));
        var found = new Dictionary<string, List<Statements.TransactionRow>>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            foreach (var reference in CreditorReference.FindIn(line.Description).Where(byReference.ContainsKey).Distinct())
            {
                (found.TryGetValue(reference, out var list) ? list : found[reference] = []).Add(line);
            }
        }

        int settledCount = 0, partialCount = 0;
        var warnings = new List<string>();
        var paidLines = new List<Statements.TransactionRow>();
        foreach (var (reference, matched) in found)
        {
            var (record, payment) = byReference[reference];
            var known = payment.Settlements.Where(s => s.Batch is not null).Select(s => (s.Batch!.Value, s.Row!.Value)).ToHashSet();
            var newLines = matched.Where(l => !known.Contains((l.BatchId, l.Row))).OrderBy(l => l.Date).ToList();
            if (newLines.Count == 0)
            {
                continue;
            }

            var euro = newLines.Where(l => l.Currency == Currency).ToList();
            if (euro.Count < newLines.Count)
            {
                warnings.Add($"A statement line in another currency carries the reference of the payment to {payment.PayeeName} for {payment.Period}; it was not counted.");
            }

            if (euro.Count == 0)
            {
                continue;
            }

            var settlements = payment.Settlements.Concat(euro.Select(l => new SettlementValue("statement", l.Date, -l.Amount, l.Account, l.BatchId, l.Row))).ToList();
            var wasSettled = payment.Status == PaymentStatuses.Settled;
            var updated = payment with { Settlements = settlements };
            var paid = settlements.Sum(s => s.Amount);
            if (paid > payment.Amount)
            {
                updated = updated with
                {
                    Warning = settlements.Count > 1
                        ? $"Paid twice: {settlements.Count} payments carry this reference, {Eur(paid)} in all for {Eur(payment.Amount)} due. Ask the payee for the difference back, or count it towards the next period."
                        : $"Paid {Eur(paid)} for {Eur(payment.Amount)} due.",
                };
                warnings.Add(settlements.Count > 1
                    ? $"The payment to {payment.PayeeName} for {payment.Period} was paid more than once; see its warning."
                    : $"The payment to {payment.PayeeName} for {payment.Period} was paid more than was due; see its warning.");
            }

            var (_, concluded) = await ConcludeAsync(keys, record, updated, euro, ct);
            paidLines.AddRange(euro);
            if (!wasSettled && concluded.Status == PaymentStatuses.Settled)
            {
                settledCount++;
            }
            else if (concluded.Status == PaymentStatuses.Partial)
            {
                partialCount++;
            }
        }

        if (categorize is not null && paidLines.Count > 0)
        {
            await categorize(paidLines, ct);
        }

        return new SettlementCheck(settledCount, partialCount, warnings);
    }

    /// <summary>Stores a payment's new settlements and, once it is paid in full, settles it with a signed record.</summary>
    private async Task<(CurrentRecord Record, PaymentValue Value)> ConcludeAsync(VaultKeys keys, CurrentRecord record, PaymentValue payment, IReadOnlyList<Statements.TransactionRow> lines, CancellationToken ct)
    {
        var paid = payment.Settlements.Sum(s => s.Amount);
        if (payment.Status == PaymentStatuses.Settled || paid < payment.Amount)
        {
            var value = payment.Status == PaymentStatuses.Settled ? payment : payment with { Status = PaymentStatuses.Partial, HeldReason = null };
            return (await records.UpdateAsync(keys, record.Id, VaultJson.Serialize(value), Actor.Owner, record.Version, ct), value);
        }

        var now = time.GetUtcNow();
        var (_, payee) = await GetPayeeOrRemovedAsync(keys, payment.PayeeId, ct);
        var relationship = payee?.RelationshipId is { } rid ? await relationships.FindAsync(keys.VaultId, rid, ct) : null;
        var (_, pledge) = await GetPledgeAsync(keys, payment.PledgeId, ct);
        var vault = await db.Vaults.FindAsync([keys.VaultId], ct) ?? throw new InvalidOperationException("The vault row is missing.");
        var recordId = UuidV7.Create(now);
        var evidenceMethod = payment.Settlements.Any(s => s.Method == "statement") ? "statement" : "manual";
        var content = new PaymentRecordContent(
            recordId.ToString(),
            relationship?.ClientId ?? "payee:" + payment.PayeeId,
            payment.PayeeName,
            relationship?.Subject ?? payee?.Supporter ?? PairwiseIds.NewSubject(),
            pledge.ShareName ? await SupporterNameAsync(keys, ct) : null,
            payment.Amount,
            Currency,
            payment.Reference,
            payment.Period,
            payment.PledgeId.ToString(),
            payment.Rail,
            new PaymentEvidence(evidenceMethod, payment.Settlements.Max(s => s.Date), paid),
            now,
            Base64Url.EncodeToString(vault.SigningPublicKey));
        var signed = JsonSerializer.SerializeToUtf8Bytes(content, CanonicalJson);
        var signature = SignatureAlgorithm.Ed25519.Sign(keys.SigningKey, signed);
        var stored = new PaymentRecordValue(record.Id, payment.PayeeId, relationship?.Id, signed, signature, null, null);
        await records.CreateWithIdAsync(keys, recordId, PaymentRecordTypes.Record, VaultJson.Serialize(stored), Actor.Owner, ct);
        var settled = payment with { Status = PaymentStatuses.Settled, HeldReason = null, SettledAt = now, RecordId = recordId };
        var updated = await records.UpdateAsync(keys, record.Id, VaultJson.Serialize(settled), Actor.Owner, record.Version, ct);
        if (relationship is { EndedAt: null })
        {
            WebhookOutbox.Enqueue(db, relationship, WebhookEventTypes.PaymentSettled, new PaymentSettledData(recordId, payment.Amount, Currency, payment.Period) { Subject = content.Supporter }, now);
            await db.SaveChangesAsync(ct);
        }

        return (updated, settled);
    }

    private async Task<string?> SupporterNameAsync(VaultKeys keys, CancellationToken ct)
    {
        var names = (await records.ListAsync(keys, Datatypes.Name, ct)).Where(r => r.Type == Datatypes.Name);
        return names.Select(r => VaultJson.Deserialize<Profile.ProfileValue>(r.Json).Name?.Display).FirstOrDefault(n => !string.IsNullOrWhiteSpace(n));
    }

    private async Task<(CurrentRecord? Record, PayeeValue? Value)> GetPayeeOrRemovedAsync(VaultKeys keys, Guid id, CancellationToken ct)
    {
        var record = await records.FindAsync(keys, id, ct);
        return record is null || record.Type != PaymentRecordTypes.Payee ? (null, null) : (record, VaultJson.Deserialize<PayeeValue>(record.Json));
    }

    // ---- records ----

    public async Task<IReadOnlyList<(CurrentRecord Record, PaymentRecordValue Value)>> ListSignedAsync(VaultKeys keys, CancellationToken ct = default) =>
        [.. (await records.ListAsync(keys, PaymentRecordTypes.Record, ct)).Where(r => r.Type == PaymentRecordTypes.Record).Select(r => (r, VaultJson.Deserialize<PaymentRecordValue>(r.Json)))];

    /// <summary>A signed record; for a vendor (<paramref name="relationshipId"/> set) only one made for its relationship.</summary>
    public async Task<(CurrentRecord Record, PaymentRecordValue Value)> GetSignedAsync(VaultKeys keys, Guid id, Guid? relationshipId, CancellationToken ct = default)
    {
        var record = await records.FindAsync(keys, id, ct);
        if (record is null || record.Type != PaymentRecordTypes.Record)
        {
            throw PaymentProblemException.PaymentNotFound();
        }

        var value = VaultJson.Deserialize<PaymentRecordValue>(record.Json);
        if (relationshipId is not null && value.RelationshipId != relationshipId)
        {
            throw PaymentProblemException.PaymentNotFound();
        }

        return (record, value);
    }

    /// <summary>Stores the payee's Ed25519 signature over the record after checking it against the key it registered.</summary>
    public async Task<PaymentRecord> CountersignAsync(VaultKeys keys, RelationshipEntity relationship, Guid id, string signature, CancellationToken ct = default)
    {
        var (record, value) = await GetSignedAsync(keys, id, relationship.Id, ct);
        if (relationship.VendorSigningKey is null)
        {
            throw PaymentProblemException.BadCountersignature("The client registered no Ed25519 key (jwks), so it cannot countersign.");
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(signature ?? "");
        }
        catch (FormatException)
        {
            throw PaymentProblemException.BadCountersignature("signature must be base64url.");
        }

        var key = PublicKey.Import(SignatureAlgorithm.Ed25519, relationship.VendorSigningKey, KeyBlobFormat.RawPublicKey);
        if (bytes.Length != SignatureAlgorithm.Ed25519.SignatureSize || !SignatureAlgorithm.Ed25519.Verify(key, value.SignedContent, bytes))
        {
            throw PaymentProblemException.BadCountersignature("signature does not verify over signed_content with the client's registered key.");
        }

        if (value.PayeeSignature is { } existing && existing.AsSpan().SequenceEqual(bytes))
        {
            return ToContract(value);
        }

        var updated = value with { PayeeSignature = bytes, CountersignedAt = time.GetUtcNow() };
        await records.UpdateAsync(keys, record.Id, VaultJson.Serialize(updated), Actor.Vendor(relationship.ClientId), record.Version, ct);
        return ToContract(updated);
    }

    public static PaymentRecord ToContract(PaymentRecordValue value) => new(
        JsonSerializer.Deserialize<PaymentRecordContent>(value.SignedContent)!,
        Base64Url.EncodeToString(value.SignedContent),
        Base64Url.EncodeToString(value.PersonSignature),
        value.PayeeSignature is null ? null : Base64Url.EncodeToString(value.PayeeSignature));

    // ---- views ----

    public async Task<PaymentsOverview> OverviewAsync(VaultSession session, CancellationToken ct = default)
    {
        await RefreshAsync(session, ct);
        var keys = session.Keys;
        var open = (await ListPaymentRecordsAsync(keys, ct))
            .Where(p => p.Value.Status is PaymentStatuses.Due or PaymentStatuses.Held or PaymentStatuses.Partial)
            .OrderBy(p => p.Value.DueAt)
            .Select(p => PaymentViews.Payment(p.Record, p.Value))
            .ToList();
        var pending = (await ListPayeesAsync(keys, ct)).Count(p => p.Value.Pending is not null);
        return new PaymentsOverview(await GetBudgetAsync(keys, ct), open, pending);
    }

    /// <summary>Settled giving per payee and month (by the date it was paid), the last <paramref name="months"/> months.</summary>
    public async Task<PaymentHistory> HistoryAsync(VaultKeys keys, int months = 12, CancellationToken ct = default)
    {
        months = Math.Clamp(months, 1, 60);
        var today = Today();
        var first = new DateOnly(today.Year, today.Month, 1).AddMonths(-(months - 1));
        var labels = Enumerable.Range(0, months).Select(i => MonthOf(first.AddMonths(i))).ToList();
        var settled = (await ListPaymentRecordsAsync(keys, ct)).Select(p => p.Value).Where(p => p.Status == PaymentStatuses.Settled).ToList();
        var payees = new List<PayeeHistory>();
        foreach (var group in settled.GroupBy(p => p.PayeeId))
        {
            var amounts = new decimal[months];
            foreach (var payment in group)
            {
                var index = labels.IndexOf(MonthOf(payment.Settlements.Max(s => s.Date)));
                if (index >= 0)
                {
                    amounts[index] += payment.Amount;
                }
            }

            if (amounts.Any(a => a > 0))
            {
                payees.Add(new PayeeHistory(group.Key, group.OrderByDescending(p => p.DueAt).First().PayeeName, amounts, amounts.Sum()));
            }
        }

        return new PaymentHistory(labels, [.. payees.OrderByDescending(p => p.Total)], Currency);
    }

    // ---- usage ----

    private async Task<(decimal Used, decimal Amount)> PerUseAmountAsync(VaultKeys keys, PledgeValue pledge, PayeeValue payee, string period, CancellationToken ct)
    {
        var (from, to) = Bounds(period);
        var used = pledge.UsageSource == UsageSources.Visits
            ? await usage.VisitsAsync(keys, payee.RelationshipId, from, to, ct)
            : await usage.ReportedAsync(keys, payee.RelationshipId, pledge.UsageUnit ?? "", from, to, ct);
        var amount = Math.Min(Math.Round(used * pledge.Amount, 2, MidpointRounding.ToZero), pledge.Cap ?? decimal.MaxValue);
        return (used, amount);
    }

    private static string SuggestionSentence(PledgeValue pledge, string period, decimal used, decimal amount)
    {
        var unit = pledge.UsageUnit ?? "visits";
        var single = unit.EndsWith('s') ? unit[..^1] : unit;
        var capped = used * pledge.Amount > amount ? $", capped at {Eur(pledge.Cap ?? amount)}" : "";
        return $"{Quantity(used)} {unit} in {period} so far; your rule says {Eur(pledge.Amount)} per {single}: {Eur(amount)}{capped}.";
    }

    // ---- validation and periods ----

    /// <summary>Checks published instructions whole and returns them normalized; errors name the field, never the value.</summary>
    public static PaymentInstructionsInput ValidateInstructions(PaymentInstructionsInput input)
    {
        var errors = new ValidationErrors();
        var name = Name(errors, "legal_name", input.LegalName);
        var iban = CheckIban(errors, "iban", input.Iban);
        var bic = CheckBic(errors, "bic", input.Bic);
        string? wallet = null;
        if (!string.IsNullOrWhiteSpace(input.WalletAddress))
        {
            wallet = input.WalletAddress.Trim();
            if (wallet.Length > 300 || !Uri.TryCreate(wallet, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(uri.UserInfo) || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            {
                errors.Add("wallet_address", "An https URL without user, query or fragment, at most 300 characters (an Open Payments wallet address).");
            }
        }

        var offers = Wallet.Receipts.Text(errors, "offers", input.Offers, 500, required: false);
        var suggested = input.SuggestedAmounts ?? [];
        if (suggested.Count > 5)
        {
            errors.Add("suggested_amounts", "At most 5 amounts.");
        }
        else
        {
            for (var i = 0; i < suggested.Count; i++)
            {
                Money(errors, $"suggested_amounts[{i.ToString(CultureInfo.InvariantCulture)}]", suggested[i], MaxPledgeAmount);
            }
        }

        errors.ThrowIfAny();
        return new PaymentInstructionsInput(name!, iban!, bic, wallet, offers, [.. suggested.Distinct().Order()]);
    }

    private static bool Same(PayeeValue payee, PaymentInstructionsInput input) =>
        payee.Name == input.LegalName && payee.Iban == input.Iban && payee.Bic == input.Bic && payee.WalletAddress == input.WalletAddress
        && payee.Offers == input.Offers && payee.SuggestedAmounts.SequenceEqual(input.SuggestedAmounts ?? []);

    private async Task HoldForIbanChangeAsync(VaultKeys keys, Guid payeeId, CancellationToken ct)
    {
        foreach (var (record, payment) in await ListPaymentRecordsAsync(keys, ct))
        {
            // Note: a payment held over the budget keeps its reason (approving the IBAN must not release it past the
            // budget; releasing it waits for the approval, see ReleaseAsync); one paid in part is held like a due one.
            if (payment.PayeeId == payeeId && payment.Status is PaymentStatuses.Due or PaymentStatuses.Partial)
            {
                await records.UpdateAsync(keys, record.Id, VaultJson.Serialize(payment with { Status = PaymentStatuses.Held, HeldReason = IbanChangedReason }), Actor.Owner, record.Version, ct);
            }
        }
    }

    private async Task ReleaseIbanHoldsAsync(VaultKeys keys, Guid payeeId, PayeeValue payee, CancellationToken ct)
    {
        foreach (var (record, payment) in await ListPaymentRecordsAsync(keys, ct))
        {
            if (payment.PayeeId != payeeId || payment.Status is PaymentStatuses.Settled or PaymentStatuses.Cancelled)
            {
                continue;
            }

            var value = payment with { PayeeName = payee.Name, Iban = payee.Iban, Bic = payee.Bic };
            if (payment.HeldReason == IbanChangedReason)
            {
                value = value with { Status = payment.Settlements.Count > 0 ? PaymentStatuses.Partial : PaymentStatuses.Due, HeldReason = null };
            }

            await records.UpdateAsync(keys, record.Id, VaultJson.Serialize(value), Actor.Owner, record.Version, ct);
        }
    }

    private async Task EnsureRoomAsync(VaultKeys keys, string type, int max, string what, CancellationToken ct)
    {
        if ((await records.ListHeadsAsync(keys.VaultId, type, ct)).Count(r => r.Type == type && r.DeletedAt is null) >= max)
        {
            throw ValidationFailedException.For(what, $"At most {max.ToString(CultureInfo.InvariantCulture)} {what}; remove one first.");
        }
    }

    private static string? Name(ValidationErrors errors, string field, string? value) => Wallet.Receipts.Text(errors, field, value, 70, required: true);

    private static string? CheckIban(ValidationErrors errors, string field, string? value)
    {
        if (Iban.TryNormalize(value, out var iban, out var error))
        {
            return iban;
        }

        errors.Add(field, error ?? "Not a valid IBAN.");
        return null;
    }

    private static string? CheckBic(ValidationErrors errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (Bic.TryNormalize(value, out var bic, out var error))
        {
            return bic;
        }

        errors.Add(field, error ?? "Not a valid BIC.");
        return null;
    }

    private static bool Money(ValidationErrors errors, string field, decimal value, decimal max)
    {
        if (value < 0.01m || value > max)
        {
            errors.Add(field, $"From 0.01 to {max.ToString("N0", CultureInfo.InvariantCulture)} EUR.");
            return false;
        }

        if (decimal.Round(value, 2) != value)
        {
            errors.Add(field, "At most 2 decimals (cents).");
            return false;
        }

        return true;
    }

    private DateOnly Today() => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    internal static string Eur(decimal amount) => "EUR " + amount.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Quantity(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    internal static string MonthOf(DateOnly date) => date.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>The period of a pledge that holds <paramref name="date"/>: <c>2026-12</c>, <c>2026-Q4</c> or <c>2026</c>.</summary>
    internal static string PeriodOf(string period, DateOnly date) => period switch
    {
        PledgePeriods.Quarter => $"{date.Year.ToString(CultureInfo.InvariantCulture)}-Q{(((date.Month - 1) / 3) + 1).ToString(CultureInfo.InvariantCulture)}",
        PledgePeriods.Year => date.Year.ToString(CultureInfo.InvariantCulture),
        _ => MonthOf(date),
    };

    /// <summary>The first day of a period and the first day after it.</summary>
    internal static (DateOnly From, DateOnly To) Bounds(string period)
    {
        var year = int.Parse(period.AsSpan(0, 4), CultureInfo.InvariantCulture);
        if (period.Length == 4)
        {
            return (new DateOnly(year, 1, 1), new DateOnly(year + 1, 1, 1));
        }

        if (period[5] == 'Q')
        {
            var start = new DateOnly(year, ((period[6] - '1') * 3) + 1, 1);
            return (start, start.AddMonths(3));
        }

        var month = new DateOnly(year, int.Parse(period.AsSpan(5, 2), CultureInfo.InvariantCulture), 1);
        return (month, month.AddMonths(1));
    }

    /// <summary>Every period from <paramref name="first"/> to <paramref name="last"/>, both included.</summary>
    internal static IEnumerable<string> PeriodsBetween(string period, string first, string last)
    {
        var (from, _) = Bounds(first);
        var (end, _) = Bounds(last);
        var step = period switch { PledgePeriods.Quarter => 3, PledgePeriods.Year => 12, _ => 1 };
        for (var d = from; d <= end; d = d.AddMonths(step))
        {
            yield return PeriodOf(period, d);
        }
    }

    [GeneratedRegex("^[a-z]{1,20}$")]
    private static partial Regex UnitPattern();
}

/// <summary>One payments operation at a time per unlocked vault, so that two requests never make the same payment due twice.</summary>
internal sealed class PaymentsGate : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    public static async Task<Releaser> EnterAsync(VaultSession session, CancellationToken ct)
    {
        var gate = session.State(_ => new PaymentsGate());
        await gate._semaphore.WaitAsync(ct);
        return new Releaser(gate._semaphore);
    }

    public void Dispose() => _semaphore.Dispose();

    internal readonly struct Releaser(SemaphoreSlim semaphore) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            semaphore.Release();
            return ValueTask.CompletedTask;
        }
    }
}
