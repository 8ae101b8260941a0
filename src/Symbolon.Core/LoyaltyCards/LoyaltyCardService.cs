using System.IO.Compression;
using System.Text;
using Symbolon.Contracts.LoyaltyCards;
using Symbolon.Core.Records;
using Symbolon.Core.Storage;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.LoyaltyCards;

/// <summary>
/// Loyalty cards the person already had (a supermarket's, a library's ...), each one versioned, encrypted record of
/// type <see cref="RecordType"/>. No vendor datatype covers them, so no grant, change feed or webhook ever discloses
/// them; they leave the vault only through the owner's own exports.
/// </summary>
internal sealed class LoyaltyCardService(RecordStore records, SymbolonDbContext db)
{
    public const string RecordType = "loyalty_card";

    /// <summary>
    /// The largest Catima file accepted, the owner API's body limit: about two thousand cards, far more than a wallet
    /// holds, while a mistaken upload of something else is refused before it is read.
    /// </summary>
    /// <summary>The largest file imported: Catima's .zip export carries the cards' photos next to catima.csv.</summary>
    public const int MaxImportBytes = 16 * 1024 * 1024;

    /// <summary>Every kept card: starred first, then by store name.</summary>
    public async Task<IReadOnlyList<LoyaltyCard>> ListAsync(VaultKeys keys, CancellationToken ct = default)
    {
        var current = await records.ListAsync(keys, RecordType, ct);
        return [.. current
            .Where(r => r.Type == RecordType)
            .Select(ToCard)
            .OrderByDescending(c => c.Starred)
            .ThenBy(c => c.Store, StringComparer.CurrentCultureIgnoreCase)
            .ThenBy(c => c.Id)];
    }

    public async Task<LoyaltyCard> GetAsync(VaultKeys keys, Guid id, CancellationToken ct = default)
    {
        var record = await records.FindAsync(keys, id, ct);
        if (record is null || record.Type != RecordType)
        {
            throw new RecordNotFoundException(id);
        }

        return ToCard(record);
    }

    public async Task<LoyaltyCard> AddAsync(VaultKeys keys, LoyaltyCardInput input, Actor actor, CancellationToken ct = default)
    {
        var value = LoyaltyCardValidator.Normalize(input);
        var record = await records.CreateAsync(keys, RecordType, VaultJson.Serialize(value), actor, ct);
        return ToCard(record);
    }

    public async Task<LoyaltyCard> UpdateAsync(VaultKeys keys, Guid id, LoyaltyCardInput input, Actor actor, CancellationToken ct = default)
    {
        await GetAsync(keys, id, ct);
        var value = LoyaltyCardValidator.Normalize(input);
        var record = await records.UpdateAsync(keys, id, VaultJson.Serialize(value), actor, input.ExpectedVersion, ct);
        return ToCard(record);
    }

    public async Task DeleteAsync(VaultKeys keys, Guid id, Actor actor, int? expectedVersion = null, CancellationToken ct = default)
    {
        await GetAsync(keys, id, ct);
        await records.DeleteAsync(keys, id, actor, expectedVersion, ct);
    }

    /// <summary>
    /// Reads a Catima file without storing anything: the cards it would add, or every problem with its line. The file
    /// is Catima's export as it comes (a .zip holding catima.csv and the cards' photos, which are not kept) or the
    /// catima.csv taken out of it. A password-protected export cannot be read and says so.
    /// </summary>
    public static IReadOnlyList<CatimaCard> Preview(Stream file)
    {
        if (!IsZip(file))
        {
            using var reader = OpenReader(file);
            return CatimaCsv.Read(reader);
        }

        ZipArchive zip;
        try
        {
            zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException)
        {
            throw CatimaImportException.At(1, null, "The .zip file is damaged or cut short. Export it from Catima again.");
        }

        using (zip)
        {
            var entry = zip.Entries.FirstOrDefault(e => string.Equals(e.Name, CatimaCsvName, StringComparison.OrdinalIgnoreCase))
                ?? throw CatimaImportException.At(1, null, $"The .zip file holds no {CatimaCsvName}. Is it a Catima export?");
            if (entry.IsEncrypted)
            {
                throw CatimaImportException.At(1, null, "The export is protected with a password, which Symbolon cannot open. In Catima, export again and leave the password empty.");
            }

            // The size the zip declares can lie (a zip bomb): read at most the limit and one byte more.
            using var csv = new MemoryStream();
            try
            {
                using var entryStream = entry.Open();
                CopyAtMost(entryStream, csv, MaxImportBytes + 1L);
            }
            catch (InvalidDataException)
            {
                throw CatimaImportException.At(1, null, $"{CatimaCsvName} in the .zip file is damaged. Export it from Catima again.");
            }

            if (csv.Length > MaxImportBytes)
            {
                throw CatimaImportException.At(1, null, $"{CatimaCsvName} in the .zip file is larger than {MaxImportBytes / (1024 * 1024)} MiB; a Catima export of a wallet is much smaller.");
            }

            csv.Position = 0;
            using var reader = OpenReader(csv);
            return CatimaCsv.Read(reader);
        }
    }

    private const string CatimaCsvName = "catima.csv";

    /// <summary>A zip file starts with a local file header, "PK\x03\x04" (or, empty, the end record "PK\x05\x06").</summary>
    private static bool IsZip(Stream file)
    {
        if (!file.CanSeek)
        {
            throw new ArgumentException("The file must be seekable (read it into memory first).", nameof(file));
        }

        var start = file.Position;
        Span<byte> magic = stackalloc byte[4];
        var read = file.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        file.Position = start;
        return read == 4 && magic[0] == 'P' && magic[1] == 'K' && ((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6));
    }

    private static void CopyAtMost(Stream from, Stream to, long max)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while (total < max && (read = from.Read(buffer, 0, (int)Math.Min(buffer.Length, max - total))) > 0)
        {
            to.Write(buffer, 0, read);
            total += read;
        }
    }

    /// <summary>
    /// Imports a Catima export all or nothing: the whole file is read and checked first, then every card is written in
    /// one transaction, so a failure leaves the vault as it was. Importing the same file twice adds the cards twice,
    /// as Catima's own import does.
    /// </summary>
    public async Task<LoyaltyCardImportResult> ImportCatimaAsync(VaultKeys keys, Stream file, Actor actor, CancellationToken ct = default)
    {
        var cards = Preview(file);
        var values = cards.Select(c => LoyaltyCardValidator.Normalize(c.Card)).ToList();
        var added = new List<LoyaltyCard>(values.Count);
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            foreach (var value in values)
            {
                var record = await records.CreateAsync(keys, RecordType, VaultJson.Serialize(value), actor, ct);
                added.Add(ToCard(record));
            }

            await transaction.CommitAsync(ct);
        }

        return new LoyaltyCardImportResult(added.Count, added);
    }

    /// <summary>Every kept card as a Catima export (format version 2), UTF-8 without a byte-order mark, as Catima writes it.</summary>
    public async Task<byte[]> ExportCatimaAsync(VaultKeys keys, CancellationToken ct = default)
    {
        var cards = await ListAsync(keys, ct);
        using var buffer = new MemoryStream();
        await using (var writer = new StreamWriter(buffer, new UTF8Encoding(false), leaveOpen: true))
        {
            CatimaCsv.Write(cards.Select(ToValue), writer);
        }

        return buffer.ToArray();
    }

    internal static LoyaltyCardValue ToValue(LoyaltyCard card) => new(
        card.Store,
        card.CardNumber,
        card.BarcodeFormat,
        card.BarcodeValue,
        card.BarcodeEncoding,
        card.Note,
        card.ValidFrom,
        card.Expiry,
        card.Balance,
        card.BalanceCurrency,
        card.HeaderColor,
        card.Starred,
        card.Archived,
        card.LastUsed,
        card.Groups.Count == 0 ? null : card.Groups);

    /// <summary>The input that would save <paramref name="card"/> as it is (for editing it).</summary>
    public static LoyaltyCardInput ToInput(LoyaltyCard card) => new(
        card.Store,
        card.CardNumber,
        card.BarcodeFormat,
        card.BarcodeValue,
        card.BarcodeEncoding,
        card.Note,
        card.ValidFrom,
        card.Expiry,
        card.Balance,
        card.BalanceCurrency,
        card.HeaderColor,
        card.Starred,
        card.Archived,
        card.LastUsed,
        card.Groups,
        card.Version);

    private static StreamReader OpenReader(Stream csv) =>
        // Catima writes UTF-8; a byte-order mark, if an editor added one, is skipped.
        new(csv, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, leaveOpen: true);

    private static LoyaltyCard ToCard(CurrentRecord record)
    {
        var v = VaultJson.Deserialize<LoyaltyCardValue>(record.Json);
        return new LoyaltyCard(
            record.Id,
            v.Store,
            v.CardNumber,
            v.BarcodeValue,
            v.BarcodeFormat,
            v.BarcodeEncoding,
            v.Note,
            v.ValidFrom,
            v.Expiry,
            v.Balance,
            v.BalanceCurrency,
            v.HeaderColor,
            v.Starred,
            v.Archived,
            v.LastUsed,
            v.Groups ?? [],
            record.Version,
            record.UpdatedAt);
    }
}
