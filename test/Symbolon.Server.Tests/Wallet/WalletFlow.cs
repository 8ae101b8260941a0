using Symbolon.Contracts.Vendor;
using Symbolon.Server.Tests.VendorProtocol;

namespace Symbolon.Server.Tests.Wallet;

/// <summary>Intent methods for the wallet tests: a vendor granted wallet datatypes, and receipts that add up.</summary>
internal static class WalletFlow
{
    public static readonly string[] ReadAppend = [DataActions.Read, DataActions.Append];

    public static async Task<(RegisteredVendor Vendor, VendorTokens Tokens, HttpClient Api)> WalletVendorAsync(this SymbolonApplicationFactory factory, HttpClient owner, string name, string[]? datatypes = null, string[]? actions = null, string expiry = "90d")
    {
        var vendor = await factory.RegisterVendorAsync(name);
        await factory.AcceptAgreementAsync(vendor);
        var tokens = await factory.GrantAsync(owner, vendor, VendorFlow.Details(datatypes ?? [Datatypes.Receipts, Datatypes.Loyalty, Datatypes.CheckIns], actions ?? ReadAppend), new ConsentChoices(Expiry: expiry));
        return (vendor, tokens, factory.CreateBearerClient(tokens.AccessToken));
    }

    /// <summary>A receipt that adds up: two lines in EUR with 9 % VAT on top.</summary>
    public static ReceiptInput Receipt(string firstItem = "Flat white", string store = "Blue Door Coffee", string? number = "R-1001") => new(
        store,
        new DateTimeOffset(2026, 11, 22, 8, 15, 0, TimeSpan.FromHours(1)),
        "EUR",
        [
            new ReceiptLineInput(firstItem, 2, 3.20m, 0.58m, 6.40m),
            new ReceiptLineInput("Almond croissant", 1, 2.95m, 0.27m, 2.95m),
        ],
        9.35m,
        0.85m,
        10.20m,
        "card",
        "Lindengracht 12, Haarlem",
        ReceiptNumber: number);
}
