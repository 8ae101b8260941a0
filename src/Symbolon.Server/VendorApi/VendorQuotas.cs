using System.Text.Json;
using Microsoft.Extensions.Options;
using Symbolon.Contracts.Problems;
using Symbolon.Contracts.Vendor;
using Symbolon.Core.Problems;

namespace Symbolon.Server.VendorApi;

/// <summary>What one vendor may store in one relationship per day, UTC (section <c>Quotas</c>).</summary>
internal sealed class VendorQuotaOptions
{
    /// <summary>Bytes of request replies, attachments included, as sent (default 25 MiB).</summary>
    public long RequestReplyBytesPerDay { get; set; } = 25L * 1024 * 1024;

    /// <summary>Messages in the relationship's thread (default 50).</summary>
    public int MessagesPerDay { get; set; } = 50;

    /// <summary>Notes added to the person's vault (default 100).</summary>
    public int NotesPerDay { get; set; } = 100;
}

/// <summary>A vendor write refused because the relationship's daily quota is used up (429, Retry-After at the next UTC midnight).</summary>
internal sealed class VendorQuotaExceededException : SymbolonProblemException
{
    public VendorQuotaExceededException(string what, int retryAfterSeconds)
        : base(ProblemCodes.VendorQuotaExceeded, StatusCodes.Status429TooManyRequests, "Daily quota used up; nothing was stored.",
            $"This vendor has sent as many {what} to this person today as the vault accepts from one vendor; try again after midnight UTC.")
    {
        RetryAfterSeconds = retryAfterSeconds;
    }
}

/// <summary>
/// Daily quotas per relationship on what a vendor can store without the person doing anything: request replies (by
/// bytes), messages and notes (by count). A write is charged before it runs and the charge is returned when it fails,
/// so only stored writes count; writes applied from the sealed inbox are charged on the day they are applied. A
/// refused write is logged in the access log as refused with 429, where the person sees it.
/// </summary>
/// <remarks>
/// Note: the tally is kept in memory per server process, so a restart starts the day afresh and servers sharing one
/// database each allow the quota; it bounds what a vendor can pour in, it is not an account of it.
/// </remarks>
internal sealed class VendorQuotas(IOptions<VendorQuotaOptions> options, TimeProvider time)
{
    private readonly Dictionary<(Guid Relationship, string Kind), (DateOnly Day, long Used)> _used = [];

    /// <summary>What a write of this route counts against, or null when it has no quota.</summary>
    private static string? KindOf(string action, IReadOnlyList<string> datatypes) => action switch
    {
        "reply" => "reply",
        "message" => "message",
        DataActions.Append when datatypes.Contains(Datatypes.Notes) => "note",
        _ => null,
    };

    /// <summary>
    /// Charges one write to its relationship's quota for today, or throws <see cref="VendorQuotaExceededException"/>.
    /// Dispose the charge to give it back unless <see cref="Charge.Keep"/> was called (the write was stored).
    /// </summary>
    public Charge Take(Guid relationshipId, string action, IReadOnlyList<string> datatypes, object request)
    {
        if (KindOf(action, datatypes) is not { } kind)
        {
            return new Charge(this, relationshipId, "", 0);
        }

        var quota = options.Value;
        var (amount, limit, what) = kind switch
        {
            "reply" => (JsonSerializer.SerializeToUtf8Bytes(request, request.GetType()).LongLength, quota.RequestReplyBytesPerDay, "bytes of request replies"),
            "message" => (1L, (long)quota.MessagesPerDay, "messages"),
            _ => (1L, (long)quota.NotesPerDay, "notes"),
        };
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        lock (_used)
        {
            var used = _used.TryGetValue((relationshipId, kind), out var entry) && entry.Day == today ? entry.Used : 0;
            if (used + amount > limit)
            {
                var midnight = new DateTimeOffset(today.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
                throw new VendorQuotaExceededException(what, Math.Max(1, (int)Math.Ceiling((midnight - now).TotalSeconds)));
            }

            _used[(relationshipId, kind)] = (today, used + amount);
        }

        return new Charge(this, relationshipId, kind, amount, today);
    }

    private void GiveBack(Guid relationshipId, string kind, long amount, DateOnly day)
    {
        lock (_used)
        {
            if (_used.TryGetValue((relationshipId, kind), out var entry) && entry.Day == day)
            {
                _used[(relationshipId, kind)] = (day, Math.Max(0, entry.Used - amount));
            }
        }
    }

    /// <summary>One write's charge: given back on dispose unless kept.</summary>
    internal sealed class Charge(VendorQuotas quotas, Guid relationshipId, string kind, long amount, DateOnly day = default) : IDisposable
    {
        private bool _settled = amount == 0;

        /// <summary>The write was stored: the charge stays.</summary>
        public void Keep() => _settled = true;

        public void Dispose()
        {
            if (!_settled)
            {
                _settled = true;
                quotas.GiveBack(relationshipId, kind, amount, day);
            }
        }
    }
}
