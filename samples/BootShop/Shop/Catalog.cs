using System.Text.Json;
using System.Text.Json.Serialization;
using BootShop.Data;
using Microsoft.EntityFrameworkCore;

namespace BootShop.Shop;

/// <summary>The catalog file embedded in the shop (catalog.json): products, stock per size, where it delivers, its returns policy.</summary>
public sealed record CatalogFile(
    [property: JsonPropertyName("returns")] string Returns,
    [property: JsonPropertyName("areas")] IReadOnlyList<CatalogArea> Areas,
    [property: JsonPropertyName("products")] IReadOnlyList<CatalogProduct> Products)
{
    /// <summary>The catalog as shipped with the shop.</summary>
    public static CatalogFile Embedded { get; } = Load();

    private static CatalogFile Load()
    {
        using var stream = typeof(CatalogFile).Assembly.GetManifestResourceStream("BootShop.catalog.json")
            ?? throw new InvalidOperationException("The catalog is not embedded.");
        return JsonSerializer.Deserialize<CatalogFile>(stream) ?? throw new InvalidOperationException("The catalog is empty.");
    }
}

/// <summary>The catalog in the shop's database: seeded from <see cref="CatalogFile.Embedded"/>, then the shop's own (stock goes down with orders).</summary>
public static class Catalog
{
    /// <summary>Fills an empty database with the catalog: the first run's stock.</summary>
    public static void Seed(ShopDb db)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Products.Any())
        {
            return;
        }

        foreach (var product in CatalogFile.Embedded.Products)
        {
            db.Products.Add(new Product
            {
                Sku = product.Sku,
                Name = product.Name,
                Category = product.Category,
                Brand = product.Brand,
                Condition = product.Condition,
                Price = product.Price,
                DeliveryDays = product.DeliveryDays,
                Keywords = string.Join(',', product.Keywords),
                Stock = [.. product.Stock.Select(s => new StockLine { Size = s.Key, Quantity = s.Value })],
            });
        }

        foreach (var area in CatalogFile.Embedded.Areas)
        {
            db.DeliveryAreas.Add(new DeliveryArea { Country = area.Country, PostalPrefix = area.PostalPrefix });
        }

        db.SaveChanges();
    }

    /// <summary>The catalog as the matcher reads it.</summary>
    public static async Task<(IReadOnlyList<Product> Products, IReadOnlyList<DeliveryArea> Areas)> ReadAsync(ShopDb db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var products = await db.Products.Include(p => p.Stock).OrderBy(p => p.Id).AsNoTracking().ToListAsync(cancellationToken);
        var areas = await db.DeliveryAreas.OrderBy(a => a.Id).AsNoTracking().ToListAsync(cancellationToken);
        return (products, areas);
    }
}

public sealed record CatalogArea(
    [property: JsonPropertyName("country")] string Country,
    [property: JsonPropertyName("postal_prefix")] string? PostalPrefix = null);

public sealed record CatalogProduct(
    [property: JsonPropertyName("sku")] string Sku,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("category")] string Category,
    [property: JsonPropertyName("brand")] string Brand,
    [property: JsonPropertyName("condition")] string Condition,
    [property: JsonPropertyName("price")] decimal Price,
    [property: JsonPropertyName("delivery_days")] int DeliveryDays,
    [property: JsonPropertyName("keywords")] IReadOnlyList<string> Keywords,
    [property: JsonPropertyName("stock")] IReadOnlyDictionary<string, int> Stock);
