using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Symbolon.Bench.Reporting;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;
using Symbolon.Server.Storage;

namespace Symbolon.Bench.Unlock;

/// <summary>
/// The cost of opening a vault: one Argon2id derivation with the default parameters (the baseline), and a full
/// <see cref="VaultService.UnlockAsync"/> on a real SQLite vault, each unlock with a fresh DbContext as a request has.
/// </summary>
internal static class UnlockScenario
{
    private const string Passphrase = "correct horse battery staple";

    public static async Task RunAsync(BenchReport report, string workDirectory, int repetitions, TextWriter log, CancellationToken ct)
    {
        log.WriteLine($"== unlock: Argon2id, VaultService.UnlockAsync and its steps, {repetitions}× each in turn (after one untimed round)");
        var kdf = KdfParameters.Default;
        var passphraseUtf8 = Encoding.UTF8.GetBytes(Passphrase);
        var salt = RandomNumberGenerator.GetBytes(16);

        var storage = new StorageOptions { DataDirectory = Path.Combine(workDirectory, "unlock-vault") };

        var argon = new Samples("ms");
        var argonCpu = new Samples("ms");
        var unlock = new Samples("ms");
        var unlockCpu = new Samples("ms");
        var pairRatio = new Samples("×");
        var pairCpuRatio = new Samples("×");
        var steps = new UnlockSteps();
        double coldUnlock;
        (TimeSpan Wall, TimeSpan Cpu) migrate;
        try
        {
            // The first EF Core use in this process, as in a server's start: model, migrations, a new SQLite file.
            var migration = Measurement.Start();
            await using (var db = StorageSetup.CreateContext(storage))
            {
                await StorageSetup.MigrateAsync(db, ct);
            }

            migrate = migration.Stop();
            var create = Stopwatch.StartNew();
            await using (var db = StorageSetup.CreateContext(storage))
            {
                var created = await NewService(db).CreateAsync(Passphrase, ct);
                created.Keys.Dispose();
            }

            log.WriteLine($"   migrated a new SQLite database in {migrate.Wall.TotalMilliseconds:0} ms (CPU {migrate.Cpu.TotalMilliseconds:0} ms), created the vault in {create.Elapsed.TotalMilliseconds:0} ms");

            // The first unlock in a process also compiles its query (and JITs the path); it is reported apart.
            CryptographicOperations.ZeroMemory(kdf.DeriveKey(passphraseUtf8, salt));
            coldUnlock = (await TimeUnlockAsync(storage, ct)).Wall.TotalMilliseconds;
            await TimeStepsAsync(storage, new UnlockSteps(), ct);

            // Argon2id alone, the full unlock and its steps take turns, so that load on the machine touches all alike.
            for (var i = 0; i < repetitions; i++)
            {
                ct.ThrowIfCancellationRequested();
                // Each pair runs back to back, in alternating order, and gives its own ratio: neighbours in time
                // share the machine's load, so the median of the ratios is steadier than the ratio of the medians.
                (TimeSpan Wall, TimeSpan Cpu) argonTime, unlockTime;
                if (i % 2 == 0)
                {
                    argonTime = TimeArgon2id(kdf, passphraseUtf8, salt);
                    unlockTime = await TimeUnlockAsync(storage, ct);
                }
                else
                {
                    unlockTime = await TimeUnlockAsync(storage, ct);
                    argonTime = TimeArgon2id(kdf, passphraseUtf8, salt);
                }

                argon.Add(argonTime.Wall.TotalMilliseconds);
                argonCpu.Add(argonTime.Cpu.TotalMilliseconds);
                unlock.Add(unlockTime.Wall.TotalMilliseconds);
                unlockCpu.Add(unlockTime.Cpu.TotalMilliseconds);
                pairRatio.Add(unlockTime.Wall / argonTime.Wall);
                pairCpuRatio.Add(unlockTime.Cpu / argonTime.Cpu);
                await TimeStepsAsync(storage, steps, ct);
            }
        }
        finally
        {
            StorageSetup.ReleaseFiles();
        }

        log.WriteLine($"   Argon2id: {argon}");
        log.WriteLine($"   unlock: {unlock} (first, cold: {coldUnlock:0} ms)");

        // Note: the share comes from the steps timed apart; on a busy machine the difference of two medians
        // (unlock minus Argon2id) is mostly noise, while the small steps are measured directly.
        var rest = steps.Read.Median + steps.OpenKeys.Median + steps.Save.Median;
        var share = steps.Unwrap.Median / (steps.Unwrap.Median + rest);
        report.AddRow(new SummaryRow(
            "Argon2id 64 MiB / 3 passes (KdfParameters.Default.DeriveKey)",
            Format.Milliseconds(argon.Median),
            "—",
            "—"));
        report.AddRow(new SummaryRow(
            "Unlock (VaultService.UnlockAsync, SQLite vault)",
            $"{Format.Milliseconds(unlock.Median)}; Argon2id is {Format.Percent(share)} of it (all other steps {Format.Milliseconds(rest)})",
            $"one Argon2id {Format.Milliseconds(argon.Median)}",
            $"**{Format.Ratio(pairRatio.Median)}** Argon2id (by CPU time {Format.Ratio(pairCpuRatio.Median)}; medians of paired runs)"));

        var lines = report.Section($"Unlock: median of {repetitions}");
        lines.Add($"- Argon2id ({kdf.MemoryKiB / 1024} MiB, {kdf.Iterations} passes, {kdf.Parallelism} lane, NSec/libsodium): {argon}.");
        lines.Add($"- UnlockAsync on a SQLite vault in a temp dir, new DbContext per unlock (read vault row, Argon2id, open data key and two private keys, save): {unlock}.");
        lines.Add($"- First unlock in the process (query compilation and JIT included, not in the median; EF Core model built before, when creating the vault): {coldUnlock:0} ms.");
        lines.Add($"- Unlock / Argon2id per back-to-back pair: {pairRatio}; by CPU time: {pairCpuRatio}. The summary gives the medians of these.");
        lines.Add($"- Median unlock minus median Argon2id: {unlock.Median - argon.Median:0.0} ms (on a busy machine mostly noise, even below zero; the steps below are timed directly).");
        lines.Add($"- CPU time of the process over the same spans (medians): Argon2id {Format.Milliseconds(argonCpu.Median)}, unlock {Format.Milliseconds(unlockCpu.Median)} " +
            $"(runs: {argonCpu}; {unlockCpu}).");
        lines.Add($"- Before that, the first EF Core use in the bench process (migrating a new SQLite database, JIT included) took {Format.Milliseconds(migrate.Wall.TotalMilliseconds)} " +
            $"({Format.Milliseconds(migrate.Cpu.TotalMilliseconds)} CPU): an indication of what the server's start pays for StorageInitializer.");
        lines.Add($"- The same steps timed apart ({repetitions}×, medians): new DbContext + read the vault row {Format.Milliseconds(steps.Read.Median)}, " +
            $"Argon2id + open the data key {Format.Milliseconds(steps.Unwrap.Median)}, open the private keys {Format.Milliseconds(steps.OpenKeys.Median)}, " +
            $"SaveChanges (nothing to write) {Format.Milliseconds(steps.Save.Median)}.");
    }

    /// <summary>Times the steps UnlockAsync is made of, one by one, to show where an unlock's time goes.</summary>
    private static async Task TimeStepsAsync(StorageOptions storage, UnlockSteps steps, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        await using var db = StorageSetup.CreateContext(storage);
        var vault = await db.Vaults.OrderBy(v => v.CreatedAt).FirstAsync(ct);
        steps.Read.Add(stopwatch.Elapsed.TotalMilliseconds);

        stopwatch.Restart();
        var dataKey = VaultService.UnwrapWithPassphrase(vault, Passphrase);
        steps.Unwrap.Add(stopwatch.Elapsed.TotalMilliseconds);

        stopwatch.Restart();
        using (VaultService.OpenKeys(vault, dataKey))
        {
            steps.OpenKeys.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        CryptographicOperations.ZeroMemory(dataKey);
        stopwatch.Restart();
        await db.SaveChangesAsync(ct);
        steps.Save.Add(stopwatch.Elapsed.TotalMilliseconds);
    }

    private sealed class UnlockSteps
    {
        public Samples Read { get; } = new("ms");
        public Samples Unwrap { get; } = new("ms");
        public Samples OpenKeys { get; } = new("ms");
        public Samples Save { get; } = new("ms");
    }

    private static (TimeSpan Wall, TimeSpan Cpu) TimeArgon2id(KdfParameters kdf, byte[] passphraseUtf8, byte[] salt)
    {
        var measurement = Measurement.Start();
        var key = kdf.DeriveKey(passphraseUtf8, salt);
        var elapsed = measurement.Stop();
        CryptographicOperations.ZeroMemory(key);
        return elapsed;
    }

    private static async Task<(TimeSpan Wall, TimeSpan Cpu)> TimeUnlockAsync(StorageOptions storage, CancellationToken ct)
    {
        var measurement = Measurement.Start();
        await using var db = StorageSetup.CreateContext(storage);
        using var keys = await NewService(db).UnlockAsync(Passphrase, ct);
        return measurement.Stop();
    }

    private static VaultService NewService(SymbolonDbContext db) => new(db, TimeProvider.System, NullLogger<VaultService>.Instance);
}
