using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using QRCoder;
using Spectre.Console;
using Symbolon.Cli.Infrastructure;
using Symbolon.Cli.Operations;
using Symbolon.Contracts.Payments;

namespace Symbolon.Cli.Commands;

/// <summary>
/// <c>pay payees | pledge | budget | due | paid | release | skip | qr | history | record</c>: EmanciPay, paying the
/// people and organizations the person chooses, on the person's own terms: pledges within a monthly budget, EPC QR
/// codes for the banking app, settlement from the imported statements, and signed payment records.
/// </summary>
internal static class PayCommands
{
    /// <summary>Payment records as written to a file or printed: the owner API's document, indented.</summary>
    private static readonly JsonSerializerOptions RecordJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create(CliCommands cli) =>
        new("pay", "Payments (EmanciPay): pledges to payees within a monthly budget, QR codes for your banking app, settlement from your statements, signed records.")
        {
            Payees(cli), Pledge(cli), Budget(cli), Due(cli), Paid(cli), Release(cli), Skip(cli), Qr(cli), History(cli), Record(cli),
        };

    // ---- payees ----

    private static Command Payees(CliCommands cli)
    {
        var json = JsonOption("Print the payees as JSON.");
        var command = new Command("payees", "Whom you can pay: list them (the default), add one by hand or from a QR code, approve or reject a vendor's instructions, remove one.")
        {
            json, PayeesList(cli), PayeesAdd(cli), PayeesAddQr(cli), PayeesApprove(cli), PayeesReject(cli), PayeesRemove(cli),
        };
        SetAction(cli, command, async (context, result, ct) => await ListPayeesAsync(cli, context, result.GetValue(json), ct));
        return command;
    }

    private static Command PayeesList(CliCommands cli)
    {
        var json = JsonOption("Print the payees as JSON.");
        var command = new Command("list", "List your payees, with instructions that wait for your approval.") { json };
        SetAction(cli, command, async (context, result, ct) => await ListPayeesAsync(cli, context, result.GetValue(json), ct));
        return command;
    }

    private static async Task<int> ListPayeesAsync(CliCommands cli, CliContext context, bool json, CancellationToken ct)
    {
        var payees = await (await context.ConnectAsync(ct)).ListPayeesAsync(ct);
        if (json)
        {
            CliJson.Write(cli.Env, payees);
            return ExitCodes.Success;
        }

        if (payees.Count == 0)
        {
            cli.Say("No payees yet. Add one with `symbolon pay payees add --name NAME --iban IBAN`.");
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("Id", "Name", "IBAN", "BIC", "Source", "Waiting for you");
        foreach (var p in payees)
        {
            table.AddRow(
                Display.Cell(p.Id.ToString()),
                Display.Cell(p.Name),
                Display.Cell(p.Iban.Length == 0 ? "-" : p.Iban),
                Display.Cell(p.Bic ?? "-"),
                Display.Cell(p.Source),
                Display.Cell(Pending(p)));
        }

        cli.Env.OutConsole.Write(table);
        if (payees.Any(p => p.Pending is not null))
        {
            cli.Note("Approve instructions with `symbolon pay payees approve ID`, or keep what you had with `symbolon pay payees reject ID`.");
        }

        return ExitCodes.Success;
    }

    private static string Pending(PayeeView p) => p.Pending switch
    {
        null => "",
        { IbanChanged: true } pending => $"NEW IBAN {pending.Iban} (was {p.Iban}): check it with the payee before approving",
        { } pending => $"instructions to approve: {pending.LegalName}, {pending.Iban}",
    };

    private static Command PayeesAdd(CliCommands cli)
    {
        var name = new Option<string>("--name") { Description = "The account holder's name, as the bank knows it (up to 70 characters).", HelpName = "NAME", Required = true };
        var iban = new Option<string>("--iban") { Description = "The IBAN; spaces are fine.", HelpName = "IBAN", Required = true };
        var bic = new Option<string?>("--bic") { Description = "The BIC, if you have it.", HelpName = "BIC" };
        var json = JsonOption("Print the payee as JSON.");
        var command = new Command("add", "Add a payee by hand: a name and an IBAN (checked), optionally a BIC.") { name, iban, bic, json };
        SetAction(cli, command, async (context, result, ct) =>
        {
            var payee = await (await context.ConnectAsync(ct)).AddPayeeAsync(new PayeeInput(result.GetValue(name)!, result.GetValue(iban)!, result.GetValue(bic)), ct);
            return PrintPayee(cli, payee, result.GetValue(json), "Added");
        });
        return command;
    }

    private static Command PayeesAddQr(CliCommands cli)
    {
        var text = new Option<string?>("--text") { Description = "The code's text, starting with BCD (lines separated by \\n or real line breaks).", HelpName = "TEXT" };
        var image = new Option<string?>("--image") { Description = "A picture of the code: PNG, JPEG, GIF, BMP or WebP, at most 5 MiB.", HelpName = "FILE" };
        var json = JsonOption("Print the payee as JSON.");
        var command = new Command("add-qr", "Add the payee of an EPC QR code (GiroCode), from its text or a picture of it.") { text, image, json };
        SetAction(cli, command, async (context, result, ct) =>
        {
            var (given, file) = (result.GetValue(text), result.GetValue(image));
            if ((given is null) == (file is null))
            {
                throw CliException.Usage("Give the code with --text or --image (one of them).");
            }

            var operations = await context.ConnectAsync(ct);
            PayeeView payee;
            if (given is not null)
            {
                // A shell passes "\n" as two characters; the code's lines are separated by real line breaks.
                payee = await operations.AddPayeeFromQrTextAsync(given.Replace("\\n", "\n", StringComparison.Ordinal), ct);
            }
            else
            {
                if (new FileInfo(file!).Length > Core.Payments.EpcQr.MaxImageBytes)
                {
                    throw CliException.Usage("The picture is larger than 5 MiB.", "Crop it to the code, or save it smaller.");
                }

                payee = await operations.AddPayeeFromQrImageAsync(await File.ReadAllBytesAsync(file!, ct), ct);
            }

            return PrintPayee(cli, payee, result.GetValue(json), "Added");
        });
        return command;
    }

    private static Command PayeesApprove(CliCommands cli)
    {
        var id = PayeeArgument();
        var json = JsonOption("Print the payee as JSON.");
        var command = new Command("approve", "Approve the payment instructions a vendor published; payments held for an IBAN change fall due to the new IBAN.") { id, json };
        SetAction(cli, command, async (context, result, ct) =>
            PrintPayee(cli, await (await context.ConnectAsync(ct)).ApprovePayeeAsync(result.GetValue(id), ct), result.GetValue(json), "Approved the instructions of"));
        return command;
    }

    private static Command PayeesReject(CliCommands cli)
    {
        var id = PayeeArgument();
        var json = JsonOption("Print the payee as JSON.");
        var command = new Command("reject", "Reject a vendor's new payment instructions; the IBAN you approved before stays.") { id, json };
        SetAction(cli, command, async (context, result, ct) =>
            PrintPayee(cli, await (await context.ConnectAsync(ct)).RejectPayeeAsync(result.GetValue(id), ct), result.GetValue(json), "Rejected the new instructions of"));
        return command;
    }

    private static Command PayeesRemove(CliCommands cli)
    {
        var id = PayeeArgument();
        var command = new Command("remove", "Remove a payee: its pledges end and its open payments are skipped; settled payments and their records stay.") { id };
        SetAction(cli, command, async (context, result, ct) =>
        {
            await (await context.ConnectAsync(ct)).RemovePayeeAsync(result.GetValue(id), ct);
            cli.Say("Removed the payee.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static int PrintPayee(CliCommands cli, PayeeView payee, bool json, string verb)
    {
        if (json)
        {
            CliJson.Write(cli.Env, payee);
            return ExitCodes.Success;
        }

        cli.Say($"{verb} {payee.Name} ({payee.Id}).");
        Display.Facts(cli.Env.Out,
        [
            ("IBAN", payee.Iban.Length == 0 ? "- (instructions wait for your approval)" : payee.Iban),
            ("BIC", payee.Bic ?? "-"),
            ("Source", payee.Source),
        ]);
        if (Pending(payee) is { Length: > 0 } pending)
        {
            cli.Say("Waiting for you: " + pending);
        }

        return ExitCodes.Success;
    }

    // ---- pledges ----

    private static Command Pledge(CliCommands cli)
    {
        var json = JsonOption("Print the pledges as JSON.");
        var command = new Command("pledge", "What you give whom: list your pledges (the default), add one, end one.") { json, PledgeList(cli), PledgeAdd(cli), PledgeEnd(cli) };
        SetAction(cli, command, async (context, result, ct) => await ListPledgesAsync(cli, context, result.GetValue(json), ct));
        return command;
    }

    private static Command PledgeList(CliCommands cli)
    {
        var json = JsonOption("Print the pledges as JSON.");
        var command = new Command("list", "List your pledges; per-use ones with what this period's use comes to so far (worked out here, sent nowhere).") { json };
        SetAction(cli, command, async (context, result, ct) => await ListPledgesAsync(cli, context, result.GetValue(json), ct));
        return command;
    }

    private static async Task<int> ListPledgesAsync(CliCommands cli, CliContext context, bool json, CancellationToken ct)
    {
        var pledges = await (await context.ConnectAsync(ct)).ListPledgesAsync(ct);
        if (json)
        {
            CliJson.Write(cli.Env, pledges);
            return ExitCodes.Success;
        }

        if (pledges.Count == 0)
        {
            cli.Say("No pledges yet. Add one with `symbolon pay pledge add --payee ID --amount 5 --period month`.");
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("Id", "Payee", "Pledge", "Name shared", "State");
        foreach (var p in pledges)
        {
            table.AddRow(
                Display.Cell(p.Id.ToString()),
                Display.Cell(p.PayeeName),
                Display.Cell(Terms(p)),
                Display.Cell(p.ShareName ? "yes" : "no"),
                Display.Cell(p.Active ? "active" : "ended"));
        }

        cli.Env.OutConsole.Write(table);
        foreach (var p in pledges.Where(p => p.Active && p.Suggestion is not null))
        {
            cli.Say($"{p.PayeeName}: {p.Suggestion!.Sentence}");
        }

        return ExitCodes.Success;
    }

    private static string Terms(PledgeView p) => p.Kind == PledgeKinds.PerUse
        ? $"{Money(p.Amount)} per {Single(p.UsageUnit ?? "visits")} ({p.UsageSource}), at most {Money(p.Cap ?? 0)} a {p.Period}"
        : $"{Money(p.Amount)} a {p.Period}";

    private static string Single(string unit) => unit.EndsWith('s') ? unit[..^1] : unit;

    private static Command PledgeAdd(CliCommands cli)
    {
        var payee = new Option<Guid>("--payee") { Description = "The payee's id (see `symbolon pay payees`).", HelpName = "ID", Required = true };
        var amount = new Option<string>("--amount") { Description = "EUR per period, or per use with --per-use, such as 5 or 2.50.", HelpName = "AMOUNT", Required = true };
        var period = new Option<string>("--period") { Description = "month, quarter or year (default month).", HelpName = "PERIOD", DefaultValueFactory = _ => PledgePeriods.Month };
        period.AcceptOnlyFromAmong(PledgePeriods.Month, PledgePeriods.Quarter, PledgePeriods.Year);
        var perUse = new Option<bool>("--per-use") { Description = "Pay per use (a visit, an hour) counted in your vault, for each period once it has ended, up to --cap." };
        var source = new Option<string?>("--source") { Description = "With --per-use: visits (your receipts, loyalty stamps and check-ins) or reported (usage the payee reports).", HelpName = "SOURCE" };
        source.AcceptOnlyFromAmong(UsageSources.Visits, UsageSources.Reported);
        var unit = new Option<string?>("--unit") { Description = "With --per-use --source reported: the unit to count, such as hours.", HelpName = "UNIT" };
        var cap = new Option<string?>("--cap") { Description = "With --per-use: the most to pay in one period, in EUR.", HelpName = "AMOUNT" };
        var shareName = new Option<bool>("--share-name") { Description = "Tell the payee your name in the payment record (by default it learns only a supporter id of its own and the amount)." };
        var json = JsonOption("Print the pledge as JSON.");
        var command = new Command("add", "Pledge a fixed amount per month, quarter or year, or an amount per use up to a cap; what is owed falls due at once.")
        {
            payee, amount, period, perUse, source, unit, cap, shareName, json,
        };
        SetAction(cli, command, async (context, result, ct) =>
        {
            var isPerUse = result.GetValue(perUse);
            if (!isPerUse && (result.GetValue(source) is not null || result.GetValue(unit) is not null || result.GetValue(cap) is not null))
            {
                throw CliException.Usage("--source, --unit and --cap are for a pledge per use.", "Add --per-use, or leave them out for a fixed amount per period.");
            }

            var input = new PledgeInput(
                result.GetValue(payee),
                isPerUse ? PledgeKinds.PerUse : PledgeKinds.Fixed,
                Decimal(result.GetValue(amount), "--amount")!.Value,
                result.GetValue(period)!,
                Decimal(result.GetValue(cap), "--cap"),
                result.GetValue(source),
                result.GetValue(unit),
                result.GetValue(shareName));
            var pledge = await (await context.ConnectAsync(ct)).CreatePledgeAsync(input, ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, pledge);
                return ExitCodes.Success;
            }

            cli.Say($"Pledged {Terms(pledge)} to {pledge.PayeeName} ({pledge.Id}).");
            cli.Note("See what is due with `symbolon pay due`.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command PledgeEnd(CliCommands cli)
    {
        var id = new Argument<Guid>("ID") { Description = "The pledge's id (see `symbolon pay pledge`)." };
        var json = JsonOption("Print the pledge as JSON.");
        var command = new Command("end", "End a pledge: nothing new falls due; payments already due stay until paid or skipped.") { id, json };
        SetAction(cli, command, async (context, result, ct) =>
        {
            var pledge = await (await context.ConnectAsync(ct)).EndPledgeAsync(result.GetValue(id), ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, pledge);
                return ExitCodes.Success;
            }

            cli.Say($"Ended the pledge of {Terms(pledge)} to {pledge.PayeeName}.");
            return ExitCodes.Success;
        });
        return command;
    }

    // ---- budget ----

    private static Command Budget(CliCommands cli)
    {
        var json = JsonOption("Print the budget as JSON.");
        var command = new Command("budget", "Your monthly budget across all payees: show it (the default), set it, clear it.") { json, BudgetShow(cli), BudgetSet(cli), BudgetClear(cli) };
        SetAction(cli, command, async (context, result, ct) => PrintBudget(cli, await (await context.ConnectAsync(ct)).GetBudgetAsync(ct), result.GetValue(json)));
        return command;
    }

    private static Command BudgetShow(CliCommands cli)
    {
        var json = JsonOption("Print the budget as JSON.");
        var command = new Command("show", "This month against the budget: committed, paid and held.") { json };
        SetAction(cli, command, async (context, result, ct) => PrintBudget(cli, await (await context.ConnectAsync(ct)).GetBudgetAsync(ct), result.GetValue(json)));
        return command;
    }

    private static Command BudgetSet(CliCommands cli)
    {
        var amount = new Option<string>("--amount") { Description = "The most to give in one month, in EUR.", HelpName = "AMOUNT", Required = true };
        var rule = new Option<string>("--rule") { Description = "For payments over it: scale (all shrink by the same factor, the default) or hold (they wait for you).", HelpName = "RULE", DefaultValueFactory = _ => BudgetRules.Scale };
        rule.AcceptOnlyFromAmong(BudgetRules.Scale, BudgetRules.Hold);
        var json = JsonOption("Print the budget as JSON.");
        var command = new Command("set", "Set the monthly budget and what happens to payments over it.") { amount, rule, json };
        SetAction(cli, command, async (context, result, ct) =>
        {
            var input = new BudgetInput(Decimal(result.GetValue(amount), "--amount")!.Value, result.GetValue(rule)!);
            return PrintBudget(cli, await (await context.ConnectAsync(ct)).SetBudgetAsync(input, ct), result.GetValue(json));
        });
        return command;
    }

    private static Command BudgetClear(CliCommands cli)
    {
        var json = JsonOption("Print the budget as JSON.");
        var command = new Command("clear", "Remove the budget: every pledge falls due in full.") { json };
        SetAction(cli, command, async (context, result, ct) => PrintBudget(cli, await (await context.ConnectAsync(ct)).ClearBudgetAsync(ct), result.GetValue(json)));
        return command;
    }

    private static int PrintBudget(CliCommands cli, BudgetView budget, bool json)
    {
        if (json)
        {
            CliJson.Write(cli.Env, budget);
        }
        else
        {
            cli.Say(BudgetLine(budget));
        }

        return ExitCodes.Success;
    }

    private static string BudgetLine(BudgetView b) =>
        (b.Amount is { } amount ? $"Budget {Money(amount)} a month ({b.Rule}); " : "No budget; ")
        + $"{b.Month}: {Money(b.Committed)} due, {Money(b.Paid)} paid"
        + (b.Held > 0 ? $", {Money(b.Held)} held." : ".");

    // ---- payments ----

    private static Command Due(CliCommands cli)
    {
        var check = new Option<bool>("--check") { Description = "First look through your imported statements for lines that paid open payments, and settle them." };
        var json = JsonOption("Print the overview (and with --check, the check) as JSON.");
        var command = new Command("due", "What to pay: this month's budget and every open payment (due, held, partial) with its reference.") { check, json };
        SetAction(cli, command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            SettlementCheck? checkedNow = null;
            if (result.GetValue(check))
            {
                await operations.EnsureAccessAsync(ct);
                checkedNow = await Display.WithStatusAsync(cli.Env, "Checking your statements…", () => operations.CheckPaymentsAsync(ct), show: !result.GetValue(json));
            }

            var overview = await operations.GetPaymentsOverviewAsync(ct);
            if (result.GetValue(json))
            {
                if (checkedNow is null)
                {
                    CliJson.Write(cli.Env, overview);
                }
                else
                {
                    CliJson.Write(cli.Env, new DueWithCheck(checkedNow, overview));
                }

                return ExitCodes.Success;
            }

            if (checkedNow is not null)
            {
                cli.Say(checkedNow.Settled == 0 && checkedNow.Partial == 0
                    ? "Checked your statements: no new payments found."
                    : $"Checked your statements: {Count(checkedNow.Settled, "payment")} settled, {Count(checkedNow.Partial, "payment")} paid in part.");
                foreach (var warning in checkedNow.Warnings)
                {
                    cli.Say("Warning: " + warning);
                }
            }

            cli.Say(BudgetLine(overview.Budget));
            if (overview.PendingApprovals > 0)
            {
                cli.Say($"{Count(overview.PendingApprovals, "payee")} waiting for your approval: see `symbolon pay payees`.");
            }

            if (overview.Payments.Count == 0)
            {
                cli.Say("Nothing to pay.");
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("Id", "Payee", "Period", "Amount", "Status", "Reference");
            table.Columns[3].RightAligned();
            foreach (var p in overview.Payments)
            {
                table.AddRow(
                    Display.Cell(p.Id.ToString()),
                    Display.Cell(p.PayeeName),
                    Display.Cell(p.Period),
                    Display.Cell(p.Status == PaymentStatuses.Partial ? $"{Money(p.Amount - p.Paid)} of {Money(p.Amount)}" : Money(p.Amount)),
                    Display.Cell(p.Status),
                    Display.Cell(p.Reference));
            }

            cli.Env.OutConsole.Write(table);
            foreach (var p in overview.Payments.Where(p => p.HeldReason is not null || p.Warning is not null))
            {
                cli.Say($"{p.PayeeName} {p.Period}: {p.HeldReason ?? p.Warning}");
            }

            cli.Note("Pay one with `symbolon pay qr ID`; it settles when a statement with its reference is imported, or say so with `symbolon pay paid ID`.");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>What <c>pay due --check --json</c> prints: the check, then the overview after it.</summary>
    private sealed record DueWithCheck(SettlementCheck Check, PaymentsOverview Overview);

    private static Command Paid(CliCommands cli)
    {
        var id = PaymentArgument();
        var amount = new Option<string?>("--amount") { Description = "How much you paid, in EUR (default: all that is left).", HelpName = "AMOUNT" };
        var date = new Option<string?>("--date") { Description = "When you paid (YYYY-MM-DD; default today).", HelpName = "DATE" };
        var json = JsonOption("Print the payment as JSON.");
        var command = new Command("paid", "Say you paid a payment (when no statement shows it); paid in full, it settles and its record is signed.") { id, amount, date, json };
        SetAction(cli, command, async (context, result, ct) =>
        {
            var input = new MarkPaidInput(result.GetValue(date) is { } day ? Date(day, "--date") : null, Decimal(result.GetValue(amount), "--amount"));
            var payment = await (await context.ConnectAsync(ct)).MarkPaymentPaidAsync(result.GetValue(id), input, ct);
            return PrintPayment(cli, payment, result.GetValue(json));
        });
        return command;
    }

    private static Command Release(CliCommands cli)
    {
        var id = PaymentArgument();
        var json = JsonOption("Print the payment as JSON.");
        var command = new Command("release", "Release a payment held over the budget, to pay it anyway.") { id, json };
        SetAction(cli, command, async (context, result, ct) =>
            PrintPayment(cli, await (await context.ConnectAsync(ct)).ReleasePaymentAsync(result.GetValue(id), ct), result.GetValue(json)));
        return command;
    }

    private static Command Skip(CliCommands cli)
    {
        var id = PaymentArgument();
        var json = JsonOption("Print the payment as JSON.");
        var command = new Command("skip", "Skip a payment that is due or held: it will not be asked for again.") { id, json };
        SetAction(cli, command, async (context, result, ct) =>
            PrintPayment(cli, await (await context.ConnectAsync(ct)).SkipPaymentAsync(result.GetValue(id), ct), result.GetValue(json)));
        return command;
    }

    private static int PrintPayment(CliCommands cli, PaymentView p, bool json)
    {
        if (json)
        {
            CliJson.Write(cli.Env, p);
            return ExitCodes.Success;
        }

        cli.Say(p.Status switch
        {
            PaymentStatuses.Settled => $"Settled: {Money(p.Paid)} to {p.PayeeName} for {p.Period}; the signed record is {p.RecordId}.",
            PaymentStatuses.Partial => $"Paid in part: {Money(p.Paid)} of {Money(p.Amount)} to {p.PayeeName} for {p.Period}.",
            PaymentStatuses.Cancelled => $"Skipped the payment to {p.PayeeName} for {p.Period}.",
            PaymentStatuses.Held => $"Held: {Money(p.Amount)} to {p.PayeeName} for {p.Period}. {p.HeldReason}",
            _ => $"Due: {Money(p.Amount - p.Paid)} to {p.PayeeName} for {p.Period}, reference {p.Reference}.",
        });
        if (p.Warning is not null)
        {
            cli.Say("Warning: " + p.Warning);
        }

        return ExitCodes.Success;
    }

    private static Command Qr(CliCommands cli)
    {
        var id = PaymentArgument();
        var png = new Option<string?>("--png") { Description = "Also write the code as a PNG image to this file.", HelpName = "FILE" };
        var force = new Option<bool>("--force") { Description = "Replace the --png file if it exists." };
        var json = JsonOption("Print the code's text and details as JSON.");
        var command = new Command("qr", "The EPC QR code (GiroCode) of a payment for your banking app: its text, what it pays, and on a terminal the code itself.") { id, png, force, json };
        SetAction(cli, command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var paymentId = result.GetValue(id);
            var qr = await operations.GetPaymentQrAsync(paymentId, ct);
            if (result.GetValue(png) is { } file)
            {
                var image = await operations.GetPaymentQrPngAsync(paymentId, ct);
                await PrivateFile.WriteAsync(file, result.GetValue(force), stream => stream.WriteAsync(image, ct).AsTask());
                cli.Note($"Wrote the QR code to {file}.");
            }

            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, qr);
                return ExitCodes.Success;
            }

            cli.Say($"Pay {Money(qr.Amount)} to {qr.Name}, IBAN {qr.Iban}, reference {qr.Reference}.");
            cli.Say("");
            if (cli.Env.IsOutputTerminal)
            {
                cli.Env.Out.WriteLine(TerminalCode(qr.Payload));
            }

            cli.Say("The code's text (EPC069-12):");
            cli.Say(qr.Payload);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// The code drawn with half blocks, two modules a character, for a phone to scan off the screen. Dark on light:
    /// the light modules and the quiet zone are the drawn ones, because terminals mostly draw light text on a dark background.
    /// </summary>
    private static string TerminalCode(string payload)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(payload, QRCodeGenerator.ECCLevel.M, forceUtf8: true);
        return new AsciiQRCode(data).GetGraphicSmall(drawQuietZones: true, invert: false, endOfLine: "\n");
    }

    private static Command History(CliCommands cli)
    {
        var months = new Option<int>("--months") { Description = "How many months back, 1 to 60 (default 12).", HelpName = "N", DefaultValueFactory = _ => 12 };
        var json = JsonOption("Print the history as JSON.");
        var command = new Command("history", "What you gave, per payee and month (by the date paid).") { months, json };
        SetAction(cli, command, async (context, result, ct) =>
        {
            var wanted = result.GetValue(months);
            if (wanted is < 1 or > 60)
            {
                throw CliException.Usage("--months must be from 1 to 60.");
            }

            var history = await (await context.ConnectAsync(ct)).GetPaymentHistoryAsync(wanted, ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, history);
                return ExitCodes.Success;
            }

            if (history.Payees.Count == 0)
            {
                cli.Say("Nothing settled in these months yet.");
                return ExitCodes.Success;
            }

            var table = new Table().AddColumn("Payee");
            foreach (var month in history.Months)
            {
                table.AddColumn(new TableColumn(month).RightAligned());
            }

            table.AddColumn(new TableColumn("Total").RightAligned());
            foreach (var payee in history.Payees)
            {
                table.AddRow([Display.Cell(payee.Name), .. payee.Amounts.Select(a => Display.Cell(a == 0 ? "" : Amount(a))), Display.Cell(Amount(payee.Total))]);
            }

            table.AddRow([
                Display.Cell("All"),
                .. history.Months.Select((_, i) => history.Payees.Sum(p => p.Amounts[i])).Select(a => Display.Cell(a == 0 ? "" : Amount(a))),
                Display.Cell(Amount(history.Payees.Sum(p => p.Total))),
            ]);
            cli.Env.OutConsole.Write(table);
            cli.Note($"Amounts in {history.Currency}.");
            return ExitCodes.Success;
        });
        return command;
    }

    // ---- records ----

    private static Command Record(CliCommands cli)
    {
        var id = new Argument<string?>("ID") { Description = "A record's id: print (or with --output, save) that signed record; without, list them.", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string?>("--output", "-o", "--out") { Description = "With ID: write the signed record to this file instead of standard output.", HelpName = "FILE" };
        var force = new Option<bool>("--force") { Description = "Replace the --output file if it exists." };
        var json = JsonOption("Without ID: print the records as JSON.");
        var list = RecordList(cli);
        var command = new Command("record", "The signed payment records (one per settled payment): list them, or print or save one, the same document the payee gets.") { id, output, force, json, list };
        SetAction(cli, command, async (context, result, ct) =>
        {
            if (result.GetValue(id) is not { } which)
            {
                if (result.GetValue(output) is not null)
                {
                    throw CliException.Usage("--output needs a record's id.", "Name the record to save: symbolon pay record ID --output record.json");
                }

                return await ListRecordsAsync(cli, context, result.GetValue(json), ct);
            }

            if (!Guid.TryParse(which, out var recordId))
            {
                throw CliException.Usage("ID is not a record's id.", "See the ids with `symbolon pay record list`.");
            }

            var record = await (await context.ConnectAsync(ct)).GetPaymentRecordAsync(recordId, ct);
            var text = JsonSerializer.Serialize(record, RecordJson);
            if (result.GetValue(output) is { } file)
            {
                await PrivateFile.WriteAsync(file, result.GetValue(force), async stream =>
                {
                    await using var writer = new StreamWriter(stream);
                    await writer.WriteAsync(text);
                });
                cli.Note($"Saved the payment record {recordId} to {file}; it verifies with the Ed25519 key inside it (content.person_key).");
            }
            else
            {
                cli.Say(text);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command RecordList(CliCommands cli)
    {
        var json = JsonOption("Print the records as JSON.");
        var command = new Command("list", "List the signed payment records, newest first.") { json };
        SetAction(cli, command, async (context, result, ct) => await ListRecordsAsync(cli, context, result.GetValue(json), ct));
        return command;
    }

    private static async Task<int> ListRecordsAsync(CliCommands cli, CliContext context, bool json, CancellationToken ct)
    {
        var records = await (await context.ConnectAsync(ct)).ListPaymentRecordsAsync(ct);
        if (json)
        {
            CliJson.Write(cli.Env, records);
            return ExitCodes.Success;
        }

        if (records.Count == 0)
        {
            cli.Say("No payment records yet: a record is signed when a payment settles.");
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("Id", "Payee", "Period", "Amount", "Reference", "Settled", "Payee signed");
        table.Columns[3].RightAligned();
        foreach (var r in records.OrderByDescending(r => r.Content.SettledAt))
        {
            table.AddRow(
                Display.Cell(r.Content.RecordId),
                Display.Cell(r.Content.PayeeName),
                Display.Cell(r.Content.Period),
                Display.Cell(Money(r.Content.Amount)),
                Display.Cell(r.Content.Reference),
                Display.Cell(Display.Time(r.Content.SettledAt, context.Time)),
                Display.Cell(r.PayeeSignature is null ? "no" : "yes"));
        }

        cli.Env.OutConsole.Write(table);
        cli.Note("Save one with: symbolon pay record ID --output record.json");
        return ExitCodes.Success;
    }

    // ---- helpers ----

    /// <summary>
    /// Sets the action, with the API's field names (<c>iban</c>, <c>usage_source</c>) in errors turned into this
    /// command's options (<c>--iban</c>, <c>--source</c>), so a mistake names what to change on the command line.
    /// </summary>
    private static void SetAction(CliCommands cli, Command command, Func<CliContext, ParseResult, CancellationToken, Task<int>> action) =>
        cli.SetAction(command, async (context, result, ct) =>
        {
            try
            {
                return await action(context, result, ct);
            }
            catch (Exception e) when (e is not CliException { ExitCode: ExitCodes.Usage })
            {
                throw ErrorReporter.ToCliException(e).WithFieldNames(OptionFor);
            }
        });

    private static string OptionFor(string field) => field switch
    {
        "name" or "iban" or "bic" or "amount" or "cap" or "period" or "rule" or "date" or "text" or "image" => "--" + field,
        "payee_id" => "--payee",
        "usage_source" => "--source",
        "usage_unit" => "--unit",
        "kind" => "--per-use",
        _ => field,
    };

    private static Option<bool> JsonOption(string description) => new("--json") { Description = description };

    private static Argument<Guid> PayeeArgument() => new("ID") { Description = "The payee's id (see `symbolon pay payees`)." };

    private static Argument<Guid> PaymentArgument() => new("ID") { Description = "The payment's id (see `symbolon pay due`)." };

    private static string Money(decimal amount) => "EUR " + Amount(amount);

    private static string Amount(decimal amount) => amount.ToString("#,0.00", CultureInfo.InvariantCulture);

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n.ToString(CultureInfo.InvariantCulture)} {noun}s";

    private static decimal? Decimal(string? text, string option) =>
        text is null ? null
        : decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) ? value
        : throw CliException.Usage($"{option} is not a number.", "Write it with a point for decimals, such as 2.50.");

    private static DateOnly Date(string text, string option) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw CliException.Usage($"{option} is not a date.", "Write it as YYYY-MM-DD, for example 2026-12-31.");
}
