using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Records;
using Symbolon.Core.Relationships;
using Symbolon.Core.Storage;
using Symbolon.Core.Validation;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Wallet;

/// <summary>A vendor's programme record: how it describes the programme, and the balance after its last event.</summary>
internal sealed record ProgrammeValue(LoyaltyProgrammeInput Programme, int Balance);

/// <summary>One loyalty event record. <see cref="Amount"/> is signed: earned is positive, redeemed negative.</summary>
internal sealed record LoyaltyEventValue(string Kind, int Amount, int BalanceAfter, string? Reward, string? Note);

/// <summary>A vendor's programme with its events, oldest first.</summary>
internal sealed record ProgrammeState(CurrentRecord Record, ProgrammeValue Value, IReadOnlyList<(CurrentRecord Record, LoyaltyEventValue Value)> Events)
{
    public bool RewardDue => Value.Programme.RewardThreshold is { } threshold && Value.Balance >= threshold;
}

/// <summary>
/// Loyalty programmes: one per vendor (record type <c>loyalty.programme</c>, holding the description and the
/// balance) and one record per event (<c>loyalty.event</c>), all attributed to the vendor. A redemption checks the
/// balance and writes the event and the new balance under the vault's write serialization, so concurrent
/// redemptions cannot overdraw: the second one sees the first one's balance.
/// </summary>
internal sealed class LoyaltyLedger(RecordStore records, SymbolonDbContext db)
{
    public const string ProgrammeType = "loyalty.programme";
    public const string EventType = DatatypeCatalog.LoyaltyEventRecordType;
    public const int MaxAmount = 1_000_000;
    public const int MaxBalance = 1_000_000_000;

    public async Task<(CurrentRecord Record, LoyaltyEventValue Value)> RecordAsync(VaultKeys keys, string clientId, LoyaltyEventInput input, CancellationToken ct = default)
    {
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            await records.SerializeVaultWritesAsync(keys.VaultId, ct);
            var existing = await FindProgrammeRecordAsync(keys, clientId, ct);
            var (programme, delta, reward, note) = Validate(input, existing?.Value.Programme);
            var balance = existing?.Value.Balance ?? 0;
            if (balance + delta < 0)
            {
                // The balance itself is not named: a vendor may append without being allowed to read it.
                throw new WalletProblemException(ProblemCodes.InsufficientBalance, 409, "Not enough on the card.",
                    "The redemption is larger than the programme's balance; nothing was redeemed.");
            }

            if (balance + delta > MaxBalance)
            {
                throw new WalletProblemException(ProblemCodes.InvalidLoyaltyEvent, 400, "The loyalty event is not valid.", "The balance would exceed 1,000,000,000.",
                    new Dictionary<string, string[]> { ["amount"] = ["Too large for the balance."] });
            }

            var actor = Actor.Vendor(clientId);
            var value = new ProgrammeValue(programme, balance + delta);
            if (existing is null)
            {
                await records.CreateAsync(keys, ProgrammeType, VaultJson.Serialize(value), actor, ct);
            }
            else
            {
                await records.UpdateAsync(keys, existing.Value.Record.Id, VaultJson.Serialize(value), actor, ct: ct);
            }

            var recorded = new LoyaltyEventValue(input.Kind, delta, balance + delta, reward, note);
            var record = await records.CreateAsync(keys, EventType, VaultJson.Serialize(recorded), actor, ct);
            if (own is not null)
            {
                await own.CommitAsync(ct);
            }

            return (record, recorded);
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync();
            }
        }
    }

    /// <summary>One vendor's programme and its events; null before its first event.</summary>
    public async Task<ProgrammeState?> GetAsync(VaultKeys keys, string clientId, CancellationToken ct = default)
    {
        var programme = await FindProgrammeRecordAsync(keys, clientId, ct);
        if (programme is null)
        {
            return null;
        }

        var events = await records.ListAsync(keys, EventType, Actor.Vendor(clientId), ct);
        return new ProgrammeState(programme.Value.Record, programme.Value.Value, [.. events.Where(e => e.Type == EventType).Select(e => (e, VaultJson.Deserialize<LoyaltyEventValue>(e.Json)))]);
    }

    /// <summary>Every programme in the vault with its events, keyed by the vendor's client id.</summary>
    public async Task<IReadOnlyList<(string ClientId, ProgrammeState State)>> ListAllAsync(VaultKeys keys, CancellationToken ct = default)
    {
        var programmes = await records.ListAsync(keys, ProgrammeType, ct);
        var events = (await records.ListAsync(keys, EventType, ct)).Where(e => e.Type == EventType).ToLookup(e => e.UpdatedBy.Id);
        return [.. programmes
            .Where(p => p.Type == ProgrammeType && p.UpdatedBy.Kind == Actor.VendorKind && p.UpdatedBy.Id is not null)
            .Select(p => (p.UpdatedBy.Id!, new ProgrammeState(p, VaultJson.Deserialize<ProgrammeValue>(p.Json),
                [.. events[p.UpdatedBy.Id].Select(e => (e, VaultJson.Deserialize<LoyaltyEventValue>(e.Json)))])))];
    }

    private async Task<(CurrentRecord Record, ProgrammeValue Value)?> FindProgrammeRecordAsync(VaultKeys keys, string clientId, CancellationToken ct)
    {
        var mine = (await records.ListAsync(keys, ProgrammeType, Actor.Vendor(clientId), ct)).FirstOrDefault(r => r.Type == ProgrammeType);
        return mine is null ? null : (mine, VaultJson.Deserialize<ProgrammeValue>(mine.Json));
    }

    private static (LoyaltyProgrammeInput Programme, int Delta, string? Reward, string? Note) Validate(LoyaltyEventInput input, LoyaltyProgrammeInput? current)
    {
        var errors = new ValidationErrors();
        var programme = current;
        if (input.Programme is { } given)
        {
            var name = Receipts.Text(errors, "programme.name", given.Name, 100, required: true);
            var unit = Receipts.Text(errors, "programme.unit", given.Unit, 40, required: true);
            var reward = Receipts.Text(errors, "programme.reward", given.Reward, 200, required: false);
            if (given.Kind is not (LoyaltyProgrammeKinds.Stamps or LoyaltyProgrammeKinds.Points))
            {
                errors.Add("programme.kind", "stamps or points.");
            }

            if (given.RewardThreshold is < 1 or > MaxAmount)
            {
                errors.Add("programme.reward_threshold", $"1 to {MaxAmount:N0}, or left out.");
            }

            if (current is not null && given.Kind != current.Kind)
            {
                errors.Add("programme.kind", "A programme keeps its kind; it cannot change between stamps and points.");
            }

            programme = new LoyaltyProgrammeInput(name ?? "", given.Kind, unit ?? "", given.RewardThreshold, reward);
        }
        else if (current is null)
        {
            errors.Add("programme", "The first loyalty event describes the programme (name, kind, unit).");
        }

        var delta = 0;
        if (!LoyaltyEventKinds.All.Contains(input.Kind))
        {
            errors.Add("kind", "One of " + string.Join(", ", LoyaltyEventKinds.All) + ".");
        }
        else if (programme is not null)
        {
            var fits = input.Kind switch
            {
                LoyaltyEventKinds.StampEarned or LoyaltyEventKinds.StampsRedeemed => programme.Kind == LoyaltyProgrammeKinds.Stamps,
                LoyaltyEventKinds.PointsEarned or LoyaltyEventKinds.PointsRedeemed => programme.Kind == LoyaltyProgrammeKinds.Points,
                _ => true,
            };
            if (!fits)
            {
                errors.Add("kind", $"This programme counts {programme.Kind}; use the {programme.Kind} kinds.");
            }

            var amount = input.Amount ?? (input.Kind is LoyaltyEventKinds.StampEarned ? 1 : input.Kind is LoyaltyEventKinds.RewardIssued ? 0 : (int?)null);
            var least = input.Kind == LoyaltyEventKinds.RewardIssued ? 0 : 1;
            if (amount is null)
            {
                errors.Add("amount", "Required for this kind.");
            }
            else if (amount < least || amount > MaxAmount)
            {
                errors.Add("amount", $"{least} to {MaxAmount:N0}.");
            }
            else
            {
                delta = input.Kind is LoyaltyEventKinds.StampEarned or LoyaltyEventKinds.PointsEarned ? amount.Value : -amount.Value;
            }
        }

        var rewardText = Receipts.Text(errors, "reward", input.Reward, 200, required: input.Kind == LoyaltyEventKinds.RewardIssued && programme?.Reward is null);
        if (input.Kind != LoyaltyEventKinds.RewardIssued && rewardText is not null)
        {
            errors.Add("reward", "Only a reward_issued event names a reward.");
        }

        var note = Receipts.Text(errors, "note", input.Note, 200, required: false);
        if (errors.Any)
        {
            throw new WalletProblemException(ProblemCodes.InvalidLoyaltyEvent, 400, "The loyalty event is not valid.", "See errors for each field and why; nothing was recorded.", errors.ToDictionary());
        }

        if (input.Kind == LoyaltyEventKinds.RewardIssued)
        {
            rewardText ??= programme!.Reward;
        }

        return (programme!, delta, rewardText, note);
    }
}
