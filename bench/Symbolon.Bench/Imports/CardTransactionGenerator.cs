using System.Globalization;
using System.Text;

namespace Symbolon.Bench.Imports;

/// <summary>
/// Seeded, realistic card transactions as a bank's CSV export: a few hundred merchants with their own price ranges
/// and frequencies (coffee daily, groceries weekly, subscriptions monthly), store numbers and cities in the text,
/// three years of dates. No network; the same seed gives the same file.
/// </summary>
internal static class CardTransactionGenerator
{
    private static readonly (string Name, decimal Min, decimal Max, int Weight)[] Kinds =
    [
        ("STARBUCKS STORE", 2.5m, 7.9m, 30), ("COSTA COFFEE", 2.2m, 6.5m, 18), ("BLUE BOTTLE COFFEE", 4m, 9m, 8), ("TCHIBO FILIALE", 3m, 12m, 6),
        ("REWE MARKT", 4m, 120m, 20), ("ALDI SUED", 3m, 90m, 16), ("LIDL SAGT DANKE", 3m, 80m, 14), ("TESCO STORES", 5m, 140m, 10), ("WHOLE FOODS MARKET", 8m, 180m, 6),
        ("UBER *TRIP", 6m, 45m, 10), ("DB VERTRIEB GMBH", 3m, 140m, 6), ("SHELL", 20m, 95m, 6), ("BVG TICKET", 3m, 9m, 8), ("TFL TRAVEL CH", 1.8m, 8m, 6),
        ("NETFLIX.COM", 7.99m, 17.99m, 1), ("SPOTIFY", 9.99m, 16.99m, 1), ("APPLE.COM/BILL", 0.99m, 14.99m, 2), ("GITHUB", 4m, 21m, 1),
        ("AMAZON MKTPLACE", 5m, 250m, 12), ("PIZZA NAPOLI", 9m, 45m, 5), ("MCDONALDS", 4m, 18m, 6), ("RESTAURANT ZUM LOEWEN", 18m, 95m, 3),
        ("IKEA", 10m, 400m, 1), ("DM DROGERIE", 2m, 45m, 6), ("APOTHEKE AM MARKT", 3m, 60m, 3), ("H&M", 10m, 120m, 2),
        ("FOREIGN TRANSACTION FEE", 0.5m, 4m, 2), ("ANNUAL CARD FEE", 29m, 99m, 1), ("INTEREST CHARGE", 1m, 40m, 1),
    ];

    private static readonly string[] Cities = ["BERLIN", "MUENCHEN", "HAMBURG", "KOELN", "LONDON", "PARIS", "AMSTERDAM", "WIEN", "ZUERICH", "SEATTLE"];

    public const string Header = "Date,Description,Merchant,Amount,Currency";

    /// <summary>Writes <paramref name="rows"/> transactions to a UTF-8 CSV file; returns its size in bytes.</summary>
    public static long Write(string path, int rows, int seed = 20251123)
    {
        var random = new Random(seed);
        var weights = Kinds.Select(k => k.Weight).ToArray();
        var total = weights.Sum();
        var start = new DateOnly(2022, 1, 1);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        writer.Write(Header);
        writer.Write('\n');
        var builder = new StringBuilder(128);
        for (var i = 0; i < rows; i++)
        {
            var pick = random.Next(total);
            var kind = 0;
            while (pick >= weights[kind])
            {
                pick -= weights[kind++];
            }

            var (name, min, max, _) = Kinds[kind];
            var store = random.Next(1, 40);
            var city = Cities[random.Next(Cities.Length)];
            var amount = -decimal.Round(min + ((max - min) * (decimal)random.NextDouble()), 2);
            var date = start.AddDays((int)((long)i * 1095 / rows));
            builder.Clear();
            builder.Append(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',');
            builder.Append('"').Append(name).Append(' ').Append(store.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(city).Append("\",");
            builder.Append(name).Append(',');
            builder.Append(amount.ToString("0.00", CultureInfo.InvariantCulture)).Append(",EUR\n");
            writer.Write(builder);
        }

        writer.Flush();
        return writer.BaseStream.Length;
    }
}
