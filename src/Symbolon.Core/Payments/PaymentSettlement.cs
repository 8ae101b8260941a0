using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Symbolon.Contracts.Insights;
using Symbolon.Contracts.Payments;
using Symbolon.Contracts.Statements;
using Symbolon.Core.Insights;
using Symbolon.Core.Statements;
using Symbolon.Core.Vaults;

namespace Symbolon.Core.Payments;

/// <summary>
/// Settles payments from the person's own bank data: after every import, and when asked (the web app's "Check
/// statements", <c>symbolon pay due --check</c>). Lines that paid a payment go into the "giving" category.
/// </summary>
internal sealed partial class PaymentSettlement(IServiceProvider services, ILogger<PaymentSettlement> logger) : IStatementImportFollowUp
{
    public const string GivingCategory = Categories.Giving;

    public async Task ImportedAsync(VaultSession session, ImportSummary summary, CancellationToken ct)
    {
        if (summary.Added == 0)
        {
            return;
        }

        try
        {
            await CheckAsync(session, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The import is stored; the next check (another import, the payments page) tries again. By type only:
            // a message could carry a payee's name.
            CheckFailed(logger, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the new statement lines for payments failed ({Exception}).")]
    private static partial void CheckFailed(ILogger logger, string exception);

    /// <summary>Looks through every imported line for the references of open payments.</summary>
    public async Task<SettlementCheck> CheckAsync(VaultSession session, CancellationToken ct = default)
    {
        var importer = services.GetRequiredService<StatementImporter>();
        var payments = services.GetRequiredService<PaymentService>();
        var categories = services.GetRequiredService<CategoryService>();
        var projection = await importer.ProjectionAsync(session, ct);
        return await payments.CheckStatementsAsync(session, projection, async (lines, token) =>
        {
            foreach (var line in lines.Where(l => l.Category != GivingCategory))
            {
                await categories.RecategorizeAsync(session, line.BatchId, line.Row, new RecategorizeInput(GivingCategory), token);
            }
        }, ct);
    }
}
