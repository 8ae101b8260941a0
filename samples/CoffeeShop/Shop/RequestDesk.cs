using System.Text.Json;
using CoffeeShop.Data;
using Microsoft.EntityFrameworkCore;
using Symbolon.Client;
using Symbolon.Contracts.Vendor;

namespace CoffeeShop.Shop;

/// <summary>
/// Answers the requests customers send from their vaults. An access request is answered with an export of every row
/// the shop holds about the customer (JSON, attached to the reply, so it lands encrypted in the customer's vault); an
/// erasure request deletes those rows, is confirmed, and then the shop forgets the customer and its tokens too.
/// Other kinds are acknowledged and left for a person at the shop. Every reply carries an idempotency key derived
/// from the request, so a retry after a lost answer lands once. Requests are read and answered with the shop's own
/// client credentials, not a customer's token: a customer who withdrew permission and then asks the shop to delete
/// what it holds must still get an answer.
/// </summary>
public sealed class RequestDesk(IDbContextFactory<ShopDb> dbs, CustomerSessions sessions, VaultDirectory vaults, TimeProvider time, ILogger<RequestDesk> logger)
{
    private static readonly JsonSerializerOptions ExportJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Handles a request the vault announced by webhook, in the background (the webhook is answered at once).</summary>
    public void HandleInBackground(int vaultId, string subject, string requestId) => _ = Task.Run(async () =>
    {
        try
        {
            await HandleAsync(vaultId, subject, requestId, CancellationToken.None);
        }
        catch (Exception e)
        {
            ShopLog.RequestFailed(logger, e, requestId);
        }
    });

    /// <summary>Asks every customer's vault for requests the shop has not answered yet, and answers them.</summary>
    public async Task<int> CheckAllAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var customers = await db.Customers.Select(c => new { c.VaultId, c.Subject }).ToListAsync(cancellationToken);
        var handled = 0;
        foreach (var customer in customers)
        {
            IReadOnlyList<VendorRequest> open;
            try
            {
                open = await (await vaults.ClientAsync(customer.VaultId, cancellationToken)).GetRequestsAsync(cancellationToken);
            }
            catch (SymbolonProblemException)
            {
                // A vault that is locked, or a relationship the customer ended: nothing to answer there now.
                continue;
            }

            foreach (var request in open.Where(r => r.Status is RequestStatuses.Sent))
            {
                if (await HandleAsync(customer.VaultId, customer.Subject, request.Id, cancellationToken))
                {
                    handled++;
                }
            }
        }

        return handled;
    }

    /// <summary>Answers one request; false when it was answered before or the customer is unknown.</summary>
    public async Task<bool> HandleAsync(int vaultId, string subject, string requestId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var customer = await db.Customers.SingleOrDefaultAsync(c => c.VaultId == vaultId && c.Subject == subject, cancellationToken);
        var row = await db.Requests.SingleOrDefaultAsync(r => r.VaultId == vaultId && r.RequestId == requestId, cancellationToken);
        if (row?.Status is DataRequestStatus.Answered or DataRequestStatus.NeedsAttention || customer is null)
        {
            return false;
        }

        var desk = await vaults.ClientAsync(vaultId, cancellationToken);
        var request = await desk.GetRequestAsync(requestId, cancellationToken);
        if (row is null)
        {
            row = new DataRequest { VaultId = vaultId, RequestId = requestId, Subject = subject, CustomerId = customer.Id, Kind = request.Kind, Status = DataRequestStatus.Received, ReceivedAt = time.GetUtcNow() };
            db.Requests.Add(row);
            await db.SaveChangesAsync(cancellationToken);
        }

        try
        {
            switch (request.Kind)
            {
                case RequestKinds.Access:
                    await AnswerAccessAsync(db, desk, customer, request, row, cancellationToken);
                    break;
                case RequestKinds.Erasure:
                    await AnswerErasureAsync(db, desk, customer, request, row, cancellationToken);
                    break;
                default:
                    await desk.ReplyToRequestAsync(request.Id, new RequestReplyInput("Thank you; a person at the shop will answer this.", RequestStatuses.Acknowledged), $"ack-{request.Id}", cancellationToken);
                    row.Status = DataRequestStatus.NeedsAttention;
                    row.Outcome = "Acknowledged; a person at the shop has to answer it.";
                    await db.SaveChangesAsync(cancellationToken);
                    break;
            }
        }
        catch (SymbolonProblemException e)
        {
            row.Status = DataRequestStatus.Failed;
            row.Outcome = ShopErrors.Describe(e);
            await db.SaveChangesAsync(CancellationToken.None);
            return false;
        }

        return true;
    }

    /// <summary>Every row the shop holds about one customer, as the JSON the access request is answered with.</summary>
    public static async Task<byte[]> ExportAsync(ShopDb db, Customer customer, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Note: SQLite cannot order by DateTimeOffset; ids are in insertion order, which is time order here.
        var shop = await db.Settings.AsNoTracking().OrderBy(s => s.Id).FirstAsync(cancellationToken);
        var sales = await db.Sales.AsNoTracking().Where(s => s.CustomerId == customer.Id).OrderBy(s => s.Id).ToListAsync(cancellationToken);
        var visits = await db.Visits.AsNoTracking().Where(v => v.CustomerId == customer.Id).OrderBy(v => v.Id).ToListAsync(cancellationToken);
        var webhooks = await db.Webhooks.AsNoTracking().Where(w => w.CustomerId == customer.Id).OrderBy(w => w.Id).ToListAsync(cancellationToken);
        var export = new
        {
            shop = shop.Name,
            exportedAt = now,
            customer = new { customer.Subject, customer.FirstSeen, customer.LastSeen, customer.StampBalance, customer.PermissionWithdrawnAt },
            sales = sales.Select(s => new { s.Key, s.Kind, s.At, s.ReceiptNumber, lines = JsonSerializer.Deserialize<List<SaleLine>>(s.LinesJson, ExportJson), s.Total, s.PaymentMethod, s.StampBalanceAfter }),
            visits = visits.Select(v => new { v.Key, v.Status, v.StartedAt }),
            webhooks = webhooks.Select(w => new { w.Type, w.Summary, w.OccurredAt, w.ReceivedAt }),
            note = "The shop does not keep tokens in this export: they are credentials, not data about you.",
        };
        return JsonSerializer.SerializeToUtf8Bytes(export, ExportJson);
    }

    private async Task AnswerAccessAsync(ShopDb db, SymbolonVendorClient desk, Customer customer, VendorRequest request, DataRequest row, CancellationToken cancellationToken)
    {
        var export = await ExportAsync(db, customer, time.GetUtcNow(), cancellationToken);
        var sales = await db.Sales.CountAsync(s => s.CustomerId == customer.Id, cancellationToken);
        var visits = await db.Visits.CountAsync(v => v.CustomerId == customer.Id, cancellationToken);
        var text = $"Here is everything we hold about you: your customer record, {Count(sales, "sale")} and {Count(visits, "visit")}.";
        await desk.ReplyToRequestAsync(request.Id, new RequestReplyInput(text, RequestStatuses.Answered, Attachments:
            [new RequestAttachmentInput("coffeeshop-export.json", "application/json", export)]), $"access-{request.Id}", cancellationToken);
        row.Status = DataRequestStatus.Answered;
        row.AnsweredAt = time.GetUtcNow();
        row.Outcome = $"Sent the export ({Count(sales, "sale")}, {Count(visits, "visit")}, {export.Length} bytes).";
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Deletes the customer's sales, visits and webhooks, confirms, then revokes the customer's tokens and deletes the
    /// customer row. The customer row goes last so that the request stays tied to it: if the confirmation fails, the
    /// data is already gone and "Answer again" sends it.
    /// </summary>
    private async Task AnswerErasureAsync(ShopDb db, SymbolonVendorClient desk, Customer customer, VendorRequest request, DataRequest row, CancellationToken cancellationToken)
    {
        int sales, visits, webhooks;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            sales = await db.Sales.Where(s => s.CustomerId == customer.Id).ExecuteDeleteAsync(cancellationToken);
            visits = await db.Visits.Where(v => v.CustomerId == customer.Id).ExecuteDeleteAsync(cancellationToken);
            webhooks = await db.Webhooks.Where(w => w.CustomerId == customer.Id || w.Subject == customer.Subject).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        var text = $"We deleted everything we held about you: your customer record, {Count(sales, "sale")}, {Count(visits, "visit")} and our access to your vault.";
        await desk.ReplyToRequestAsync(request.Id, new RequestReplyInput(text, RequestStatuses.Answered), $"erasure-{request.Id}", cancellationToken);

        await sessions.ForgetAsync(customer.Id, cancellationToken);
        await db.Customers.Where(c => c.Id == customer.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Requests.Where(r => r.CustomerId == customer.Id || r.Subject == customer.Subject).ExecuteUpdateAsync(u => u.SetProperty(r => r.Subject, (string?)null).SetProperty(r => r.CustomerId, (int?)null), cancellationToken);
        row.Subject = null;
        row.CustomerId = null;
        row.Status = DataRequestStatus.Answered;
        row.AnsweredAt = time.GetUtcNow();
        row.Outcome = $"Deleted the customer, {Count(sales, "sale")}, {Count(visits, "visit")} and {Count(webhooks, "webhook")}; confirmed.";
        await db.SaveChangesAsync(cancellationToken);
    }

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
