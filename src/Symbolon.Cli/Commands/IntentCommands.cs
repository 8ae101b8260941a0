using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Symbolon.Cli.Infrastructure;
using Symbolon.Cli.Operations;
using Symbolon.Contracts.Intents;

namespace Symbolon.Cli.Commands;

/// <summary>
/// <c>intent new | list | show | offers | accept | decline | withdraw | exchanges</c>: say what you want to buy, let
/// the vendors you pick (and the exchanges you use) answer with offers, compare them on your own data, and accept one.
/// </summary>
internal static class IntentCommands
{
    public static Command Create(CliCommands cli) =>
        new("intent", "Intents: say what you want to buy; vendors answer with offers; nobody learns who you are until you accept one.")
        {
            New(cli), List(cli), Show(cli), Offers(cli), Accept(cli), Decline(cli), Withdraw(cli), Exchanges(cli),
        };

    private static Command New(CliCommands cli)
    {
        var title = new Option<string>("--title") { Description = "A one-line title, such as \"Winter boots\".", HelpName = "TEXT", Required = true };
        var description = new Option<string?>("--description") { Description = "More about it, up to 2,000 characters.", HelpName = "TEXT" };
        var category = new Option<string>("--category") { Description = "A category, as in insights (shoes, electronics, groceries …).", HelpName = "SLUG", Required = true };
        var budget = new Option<string>("--budget") { Description = "The most you will pay, all in, such as 150 or 149.90.", HelpName = "AMOUNT", Required = true };
        var currency = new Option<string>("--currency") { Description = "The budget's currency (ISO 4217), such as EUR.", HelpName = "CODE", Required = true };
        var country = new Option<string>("--country") { Description = "Delivery (or pick-up) country (ISO 3166-1), such as NL.", HelpName = "CODE", Required = true };
        var postal = new Option<string?>("--postal-prefix") { Description = "For delivery: the first 1 to 3 characters of your postal code (coarse on purpose).", HelpName = "TEXT" };
        var lat = new Option<string?>("--pickup-lat") { Description = "For pick-up: a latitude (rounded to 0.1°).", HelpName = "DEGREES" };
        var lon = new Option<string?>("--pickup-lon") { Description = "For pick-up: a longitude (rounded to 0.1°).", HelpName = "DEGREES" };
        var km = new Option<int?>("--pickup-km") { Description = "For pick-up: within this many km.", HelpName = "KM" };
        var size = new Option<string?>("--size") { Description = "A size, such as 44 or M.", HelpName = "TEXT" };
        var quantity = new Option<int?>("--quantity") { Description = "How many (default one).", HelpName = "N" };
        var brand = new Option<string?>("--brand") { Description = "A brand.", HelpName = "TEXT" };
        var condition = new Option<string?>("--condition") { Description = "new, used or any.", HelpName = "CONDITION" };
        var deadline = new Option<string?>("--deadline") { Description = "By when it should arrive (YYYY-MM-DD).", HelpName = "DATE" };
        var expires = new Option<int>("--expires-in-days") { Description = "Days until the intent closes by itself, 1 to 90.", HelpName = "DAYS", DefaultValueFactory = _ => 14 };
        var signals = new Option<string[]>("--signal") { Description = "A signal to attach (bought_in_category_before); see them with --preview. Repeat for several.", HelpName = "TYPE", AllowMultipleArgumentsPerToken = false };
        var vendors = new Option<string[]>("--vendor") { Description = "A vendor you relate to who should hear of it (relationship id or client id). Repeat for several.", HelpName = "VENDOR", AllowMultipleArgumentsPerToken = false };
        var exchanges = new Option<string[]>("--exchange") { Description = "An exchange to post it to (one of `symbolon intent exchanges list`). Repeat for several.", HelpName = "URL", AllowMultipleArgumentsPerToken = false };
        var preview = new Option<bool>("--preview") { Description = "Show exactly what a vendor will see, and the signals available; nothing is sent." };
        var json = new Option<bool>("--json") { Description = "Print the intent (or the preview) as JSON." };
        var command = new Command("new", "Make an intent: signed with keys of its own, sent to the vendors and exchanges you name.")
        {
            title, description, category, budget, currency, country, postal, lat, lon, km, size, quantity, brand, condition, deadline, expires, signals, vendors, exchanges, preview, json,
        };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var relationshipIds = new List<Guid>();
            foreach (var vendor in result.GetValue(vendors) ?? [])
            {
                relationshipIds.Add(await RelationshipAsync(operations, vendor, ct));
            }

            var input = new IntentInput(
                result.GetValue(title)!,
                result.GetValue(category)!,
                Decimal(result.GetValue(budget), "--budget")!.Value,
                result.GetValue(currency)!,
                result.GetValue(country)!,
                result.GetValue(expires),
                result.GetValue(description),
                result.GetValue(size),
                result.GetValue(quantity),
                result.GetValue(brand),
                result.GetValue(condition),
                result.GetValue(deadline) is { } day ? Date(day, "--deadline") : null,
                result.GetValue(postal),
                Decimal(result.GetValue(lat), "--pickup-lat"),
                Decimal(result.GetValue(lon), "--pickup-lon"),
                result.GetValue(km),
                result.GetValue(signals) is { Length: > 0 } chosen ? chosen : null,
                relationshipIds.Count == 0 ? null : relationshipIds,
                result.GetValue(exchanges) is { Length: > 0 } urls ? urls : null);
            if (result.GetValue(preview))
            {
                var shown = await operations.PreviewIntentAsync(input, ct);
                if (result.GetValue(json))
                {
                    CliJson.Write(cli.Env, shown);
                    return ExitCodes.Success;
                }

                cli.Say("What a vendor will see (the id and keys are fresh when you send it):");
                cli.Say(JsonSerializer.Serialize(shown.Document, CliJson.Output));
                cli.Say("");
                cli.Say("Signals:");
                foreach (var signal in shown.Signals)
                {
                    cli.Say(signal.Available ? $"  {signal.Type}: available, says \"{signal.Statement}\"" : $"  {signal.Type}: not available ({signal.Reason})");
                }

                cli.Say($"Reaches: {(shown.Relationships.Count == 0 ? "no vendor you relate to" : string.Join(", ", shown.Relationships.Select(r => r.Name)))}; {(shown.Exchanges.Count == 0 ? "no exchange" : string.Join(", ", shown.Exchanges))}.");
                foreach (var warning in shown.Warnings)
                {
                    cli.Say("Warning: " + warning);
                }

                return ExitCodes.Success;
            }

            var detail = await operations.CreateIntentAsync(input, ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, detail);
                return ExitCodes.Success;
            }

            cli.Say($"Intent {detail.Summary.Id} is out: \"{detail.Summary.Title}\", open until {Display.Time(detail.Summary.ExpiresAt, context.Time)}.");
            if (detail.Relationships.Count > 0)
            {
                cli.Say($"Told: {string.Join(", ", detail.Relationships.Select(r => r.Name))}.");
            }

            if (detail.Exchanges.Count > 0)
            {
                cli.Say($"Posting to {string.Join(", ", detail.Exchanges.Select(e => e.Exchange))} (the server does it, and retries while an exchange is down).");
            }

            foreach (var warning in IntentWarnings.For(detail.Relationships.Count, detail.Exchanges.Count))
            {
                cli.Say("Warning: " + warning);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliCommands cli)
    {
        var json = new Option<bool>("--json") { Description = "Print the intents as JSON." };
        var command = new Command("list", "List your intents, newest first, with status and offers.") { json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var intents = await (await context.ConnectAsync(ct)).ListIntentsAsync(ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, intents);
                return ExitCodes.Success;
            }

            if (intents.Count == 0)
            {
                cli.Say("No intents yet. Make one with `symbolon intent new`.");
                return ExitCodes.Success;
            }

            if (cli.Env.OutConsole.Profile.Width < Display.WideTableWidth)
            {
                foreach (var i in intents)
                {
                    cli.Say($"{i.Title}  ({i.Status}, {Offers(i)})");
                    cli.Say($"  {i.Id}  budget {Money(i.Currency, i.BudgetMax)}  until {Display.Time(i.ExpiresAt, context.Time)}");
                }

                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("Id", "Intent", "Category", "Budget", "Status", "Offers", "Until");
            foreach (var i in intents)
            {
                table.AddRow(
                    Display.Cell(i.Id),
                    Display.Cell(i.Title),
                    Display.Cell(i.Category),
                    Display.Cell(Money(i.Currency, i.BudgetMax)),
                    Display.Cell(i.Status),
                    Display.Cell(Offers(i)),
                    Display.Cell(Display.Time(i.ExpiresAt, context.Time)));
            }

            cli.Env.OutConsole.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(CliCommands cli)
    {
        var which = new Argument<string>("INTENT") { Description = "The intent's id (see `symbolon intent list`)." };
        var json = new Option<bool>("--json") { Description = "Print the intent as JSON." };
        var command = new Command("show", "Show one intent: what vendors see, who it reached, and its state at each exchange.") { which, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var detail = await (await context.ConnectAsync(ct)).GetIntentAsync(result.GetValue(which)!, ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, detail);
                return ExitCodes.Success;
            }

            var s = detail.Summary;
            Display.Facts(cli.Env.Out,
            [
                ("Intent", s.Title),
                ("Id", s.Id),
                ("Status", s.Status + (detail.ClosedAt is { } closed ? $" ({Display.Time(closed, context.Time)})" : "")),
                ("Category", s.Category),
                ("Budget", Money(s.Currency, s.BudgetMax)),
                ("Offers", Offers(s) + (detail.RefusedOffers > 0 ? $"; {detail.RefusedOffers} refused and not shown" : "")),
                ("Until", Display.Time(s.ExpiresAt, context.Time)),
                ("Vendors", detail.Relationships.Count == 0 ? "-" : string.Join(", ", detail.Relationships.Select(r => r.Name))),
            ]);
            foreach (var exchange in detail.Exchanges)
            {
                cli.Say($"  exchange {exchange.Exchange}: {exchange.State}{(exchange.LastError is { } error ? $" ({error})" : "")}");
            }

            cli.Say("");
            cli.Say("What vendors see:");
            cli.Say(JsonSerializer.Serialize(detail.Document, CliJson.Output));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Offers(CliCommands cli)
    {
        var which = new Argument<string>("INTENT") { Description = "The intent's id." };
        var json = new Option<bool>("--json") { Description = "Print the offers, ranked, as JSON." };
        var command = new Command("offers", "The intent's offers side by side, best first, judged on your own data.") { which, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var list = await (await context.ConnectAsync(ct)).GetIntentOffersAsync(result.GetValue(which)!, ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, list);
                return ExitCodes.Success;
            }

            if (list.Offers.Count == 0)
            {
                cli.Say(list.Refused > 0 ? $"No offers to show ({list.Refused} refused: forged, replayed, expired or invalid)." : "No offers yet.");
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("#", "Offer", "Vendor", "Price", "Delivery", "Status");
            foreach (var o in list.Offers)
            {
                table.AddRow(
                    Display.Cell(o.Rank.ToString(CultureInfo.InvariantCulture)),
                    Display.Cell(o.Id),
                    Display.Cell(o.VendorName),
                    Display.Cell(Money(o.Currency, o.Price)),
                    Display.Cell(o.DeliveryDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-"),
                    Display.Cell(o.Status));
            }

            cli.Env.OutConsole.Write(table);
            foreach (var o in list.Offers)
            {
                cli.Say($"{o.Rank}. {o.VendorName} ({o.Id})");
                foreach (var criterion in o.Criteria)
                {
                    cli.Say($"   {Mark(criterion.Verdict)} {criterion.Name}: {criterion.Sentence}");
                }
            }

            if (list.Refused > 0)
            {
                cli.Say($"{list.Refused} offers were refused (forged, replayed, expired or invalid) and are not shown.");
            }

            cli.Note("Ranking: " + list.RankingRule);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Accept(CliCommands cli)
    {
        var which = new Argument<string>("INTENT") { Description = "The intent's id." };
        var offer = new Argument<string>("OFFER") { Description = "The offer's id (see `symbolon intent offers INTENT`)." };
        var share = new Option<string[]>("--share") { Description = "A datatype the vendor may read for delivery, such as profile.name or profile.postal_address. Repeat for several.", HelpName = "DATATYPE", AllowMultipleArgumentsPerToken = false };
        var narrow = new Option<string[]>("--narrow") { Description = "DATATYPE=NARROWING, such as profile.postal_address=postal_code.", HelpName = "DATATYPE=NARROWING", AllowMultipleArgumentsPerToken = false };
        var purpose = new Option<string?>("--purpose") { Description = "The purpose in words (default: delivering the accepted offer).", HelpName = "TEXT" };
        var days = new Option<int?>("--days") { Description = "How many days the vendor may read what you share once it collects the grant (default: until you revoke it).", HelpName = "N" };
        var vaultUrl = new Option<string?>("--vault-url") { Description = "Local mode, exchange offers: your vault's public address, which the vendor is given.", HelpName = "URL" };
        var json = new Option<bool>("--json") { Description = "Print the answer as JSON." };
        var command = new Command("accept", "Accept an offer: only now are you disclosed, to that vendor alone, with what you share for delivery.") { which, offer, share, narrow, purpose, days, vaultUrl, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var narrowing = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in result.GetValue(narrow) ?? [])
            {
                var parts = pair.Split('=', 2);
                if (parts.Length != 2)
                {
                    throw CliException.Usage("A --narrow is not DATATYPE=NARROWING.", "For example --narrow profile.postal_address=postal_code.");
                }

                narrowing[parts[0]] = parts[1];
            }

            var input = new AcceptOfferInput(result.GetValue(share) ?? [], narrowing.Count == 0 ? null : narrowing, result.GetValue(purpose), result.GetValue(days));
            var accepted = await (await context.ConnectAsync(ct)).AcceptIntentOfferAsync(result.GetValue(which)!, result.GetValue(offer)!, input, result.GetValue(vaultUrl), ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, accepted);
                return ExitCodes.Success;
            }

            cli.Say(accepted.RelationshipId is { } relationship
                ? $"Accepted. The vendor was told, and the offer is now in your conversation with it (relationship {relationship})."
                    + (accepted.InvitationExpiresAt is { } until ? $" It may collect a grant for what you share until {Display.Time(until, context.Time, "-")}." : "")
                : $"Accepted. The acceptance goes to the vendor through {accepted.Exchange}{(accepted.Delivered ? "" : " (the server sends it, retrying while the exchange is down)")}; its invitation works until {Display.Time(accepted.InvitationExpiresAt, context.Time, "-")}.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Decline(CliCommands cli)
    {
        var which = new Argument<string>("INTENT") { Description = "The intent's id." };
        var offer = new Argument<string>("OFFER") { Description = "The offer's id." };
        var command = new Command("decline", "Decline an offer; nothing is sent to the vendor.") { which, offer };
        cli.SetAction(command, async (context, result, ct) =>
        {
            await (await context.ConnectAsync(ct)).DeclineIntentOfferAsync(result.GetValue(which)!, result.GetValue(offer)!, ct);
            cli.Say("Declined.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Withdraw(CliCommands cli)
    {
        var which = new Argument<string>("INTENT") { Description = "The intent's id." };
        var json = new Option<bool>("--json") { Description = "Print the intent as JSON." };
        var command = new Command("withdraw", "Withdraw an intent: it closes at once, is deleted at its exchanges, and the vendors it reached are told.") { which, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var detail = await (await context.ConnectAsync(ct)).WithdrawIntentAsync(result.GetValue(which)!, ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, detail);
                return ExitCodes.Success;
            }

            cli.Say($"Withdrew \"{detail.Summary.Title}\" ({detail.Summary.Id}).");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Exchanges(CliCommands cli)
    {
        var json = new Option<bool>("--json") { Description = "Print the exchanges as JSON." };
        var list = new Command("list", "The exchanges your intents may be posted to.") { json };
        cli.SetAction(list, async (context, result, ct) =>
        {
            Print(cli, await (await context.ConnectAsync(ct)).GetIntentExchangesAsync(ct), result.GetValue(json));
            return ExitCodes.Success;
        });

        var addUrl = new Argument<string>("URL") { Description = "The exchange's address (https, or http on this machine)." };
        var addJson = new Option<bool>("--json") { Description = "Print the exchanges as JSON." };
        var add = new Command("add", "Allow intents to be posted to an exchange.") { addUrl, addJson };
        cli.SetAction(add, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var current = await operations.GetIntentExchangesAsync(ct);
            Print(cli, await operations.SetIntentExchangesAsync(new IntentExchangeSettings([.. current.Exchanges, result.GetValue(addUrl)!]), ct), result.GetValue(addJson));
            return ExitCodes.Success;
        });

        var removeUrl = new Argument<string>("URL") { Description = "The exchange's address, as listed." };
        var removeJson = new Option<bool>("--json") { Description = "Print the exchanges as JSON." };
        var remove = new Command("remove", "Stop posting intents to an exchange (intents already there stay until they close).") { removeUrl, removeJson };
        cli.SetAction(remove, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var current = await operations.GetIntentExchangesAsync(ct);
            var url = result.GetValue(removeUrl)!.TrimEnd('/');
            if (!current.Exchanges.Contains(url, StringComparer.OrdinalIgnoreCase))
            {
                throw new CliException("That exchange is not in your list.", "See them with `symbolon intent exchanges list`.");
            }

            Print(cli, await operations.SetIntentExchangesAsync(new IntentExchangeSettings([.. current.Exchanges.Where(e => !string.Equals(e, url, StringComparison.OrdinalIgnoreCase))]), ct), result.GetValue(removeJson));
            return ExitCodes.Success;
        });

        return new Command("exchanges", "The intent exchanges your intents may be posted to.") { list, add, remove };
    }

    private static void Print(CliCommands cli, IntentExchangeSettings settings, bool json)
    {
        if (json)
        {
            CliJson.Write(cli.Env, settings);
            return;
        }

        if (settings.Exchanges.Count == 0)
        {
            cli.Say("No exchanges. Add one with `symbolon intent exchanges add URL`.");
            return;
        }

        foreach (var exchange in settings.Exchanges)
        {
            cli.Say(exchange);
        }
    }

    private static string Offers(IntentSummary i) => i.OfferCount == 0 ? "no offers" : $"{i.OfferCount} offers, {i.OpenOfferCount} open";

    private static string Money(string currency, decimal amount) => string.Create(CultureInfo.InvariantCulture, $"{currency} {amount:0.00}");

    private static string Mark(string verdict) => verdict switch
    {
        OfferVerdicts.Good => "+",
        OfferVerdicts.Poor => "-",
        OfferVerdicts.Fair => "~",
        _ => "?",
    };

    private static decimal? Decimal(string? text, string option) =>
        text is null ? null
        : decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) ? value
        : throw CliException.Usage($"{option} is not a number.", "Write it with a point for decimals, such as 149.90.");

    private static DateOnly Date(string text, string option) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw CliException.Usage($"{option} is not a date.", "Write it as YYYY-MM-DD, for example 2026-12-31.");

    private static async Task<Guid> RelationshipAsync(IOwnerOperations operations, string which, CancellationToken ct)
    {
        if (Guid.TryParse(which, out var id))
        {
            return id;
        }

        var match = (await operations.ListRelationshipsAsync(ct)).FirstOrDefault(r => r.ClientId == which)
            ?? throw new CliException("There is no relationship with that id or client id.", "See them with `symbolon relationships list`.");
        return match.Id;
    }
}
