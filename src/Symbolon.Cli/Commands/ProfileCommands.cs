using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Symbolon.Cli.Infrastructure;
using Symbolon.Contracts.Profile;

namespace Symbolon.Cli.Commands;

/// <summary><c>profile show | set | remove | history | vcard</c>.</summary>
internal static class ProfileCommands
{
    public static Command Create(CliCommands cli) => new("profile", "Your profile: names, email addresses, phones, postal addresses, birth date, languages and preferences.")
    {
        Show(cli), Set(cli), Remove(cli), History(cli), VCard(cli),
    };

    private static Command Show(CliCommands cli)
    {
        var json = new Option<bool>("--json") { Description = "Print the profile document as JSON." };
        var command = new Command("show", "Show every current field: kind, label, value, version, when it changed and by whom.") { json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var profile = await operations.GetProfileAsync(ct);
            if (result.GetValue(json))
            {
                CliJson.Write(cli.Env, profile);
                return ExitCodes.Success;
            }

            if (profile.Fields.Count == 0)
            {
                cli.Say("The profile is empty. Add a field, for example: symbolon profile set email you@example.org --label home");
                return ExitCodes.Success;
            }

            if (cli.Env.OutConsole.Profile.Width < Display.WideTableWidth)
            {
                // A narrow terminal gets two lines per field instead of a table squeezed past reading.
                foreach (var field in profile.Fields)
                {
                    cli.Say($"{field.Kind,-15}{Display.Value(field)}{(field.Label is null ? "" : $" ({field.Label})")}");
                    cli.Say($"{"",-15}{field.Id}  v{field.Version}  {Display.Time(field.UpdatedAt, context.Time)}  {field.UpdatedBy.DisplayName}");
                }

                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("Id", "Kind", "Label", "Value", "Version", "Updated", "By");
            foreach (var field in profile.Fields)
            {
                table.AddRow(
                    Display.Cell(field.Id.ToString()),
                    Display.Cell(field.Kind),
                    Display.Cell(field.Label),
                    Display.Cell(Display.Value(field)),
                    Display.Cell(field.Version.ToString(CultureInfo.InvariantCulture)),
                    Display.Cell(Display.Time(field.UpdatedAt, context.Time)),
                    Display.Cell(field.UpdatedBy.DisplayName));
            }

            cli.Env.OutConsole.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Set(CliCommands cli)
    {
        var kind = new Argument<string>("KIND") { Description = $"The field's kind: {string.Join(", ", ProfileFieldKinds.All)}." };
        kind.AcceptOnlyFromAmong([.. ProfileFieldKinds.All]);
        var value = new Argument<string?>("VALUE") { Arity = ArgumentArity.ZeroOrOne, Description = "The value of a text kind (email, phone, birth_date as YYYY-MM-DD, language, preference). Names and addresses take the options below." };
        var id = new Option<Guid?>("--id") { Description = "Change this existing field instead of adding one (its kind must match). Parts not given keep their value; an empty one (\"\") is removed.", HelpName = "FIELD_ID" };
        var label = new Option<string?>("--label") { Description = "A label such as home or work.", HelpName = "LABEL" };
        var json = new Option<bool>("--json") { Description = "Print the saved field as JSON." };
        var name = new NameOptions();
        var address = new AddressOptions();
        var command = new Command("set", "Add a profile field, or change one with --id. Examples: `profile set email ada@example.org --label work`, `profile set name --given Ada --family Lovelace`, `profile set postal_address --street \"1 Main St\" --locality Springfield --country US`.")
        {
            kind, value, id, label, json,
        };
        name.AddTo(command);
        address.AddTo(command);

        cli.SetAction(command, async (context, result, ct) =>
        {
            var fieldKind = result.GetValue(kind)!;
            var text = result.GetValue(value);
            var nameParts = name.Read(result);
            var addressParts = address.Read(result);
            CheckShape(fieldKind, text, nameParts, addressParts);

            var operations = await context.ConnectAsync(ct);
            try
            {
                ProfileField saved;
                if (result.GetValue(id) is not { } fieldId)
                {
                    saved = await operations.AddFieldAsync(new ProfileFieldInput(fieldKind, result.GetValue(label), text, nameParts, addressParts), ct);
                    Report(cli, result.GetValue(json), saved, "Added");
                    return ExitCodes.Success;
                }

                var existing = await operations.GetFieldAsync(fieldId, ct);
                if (existing.Kind != fieldKind)
                {
                    throw CliException.Usage($"Field {fieldId} is of kind {existing.Kind}, not {fieldKind}.", "A field's kind never changes: remove it and add a new one instead.");
                }

                // Parts that are not given keep their value; the expected version makes a concurrent change fail instead of being lost.
                var update = new ProfileFieldUpdate(
                    result.GetResult(label) is null ? existing.Label : result.GetValue(label),
                    text ?? existing.Text,
                    NameOptions.Merge(existing.Name, nameParts),
                    AddressOptions.Merge(existing.Address, addressParts),
                    existing.Version);
                saved = await operations.UpdateFieldAsync(fieldId, update, ct);
                Report(cli, result.GetValue(json), saved, "Updated");
                return ExitCodes.Success;
            }
            catch (Exception e) when (e is not CliException { ExitCode: ExitCodes.Usage })
            {
                throw ErrorReporter.ToCliException(e).WithFieldNames(OptionFor);
            }
        });
        return command;
    }

    private static void Report(CliCommands cli, bool json, ProfileField field, string verb)
    {
        if (json)
        {
            CliJson.Write(cli.Env, field);
            return;
        }

        cli.Say($"{verb} {field.Kind} field {field.Id} (version {field.Version}): {Display.Value(field)}");
    }

    /// <summary>Refuses options that do not fit the kind before anything is sent, naming the options that do.</summary>
    private static void CheckShape(string kind, string? text, PersonName? name, PostalAddress? address)
    {
        const string NameParts = "--given, --family, --middle, --prefix, --suffix";
        const string AddressParts = "--street, --locality, --region, --postal-code, --country";
        if (kind == ProfileFieldKinds.Name)
        {
            if (text is not null)
            {
                throw CliException.Usage("A name is given in its parts, not as VALUE.", $"Use {NameParts}; for example: symbolon profile set name --given Ada --family Lovelace");
            }

            if (address is not null)
            {
                throw CliException.Usage($"A name field takes {NameParts}, not address parts.");
            }
        }
        else if (kind == ProfileFieldKinds.PostalAddress)
        {
            if (text is not null)
            {
                throw CliException.Usage("An address is given in its parts, not as VALUE.", $"Use {AddressParts}; for example: symbolon profile set postal_address --street \"1 Main St\" --locality Springfield --country US");
            }

            if (name is not null)
            {
                throw CliException.Usage($"A postal_address field takes {AddressParts}, not name parts.");
            }
        }
        else if (name is not null || address is not null)
        {
            throw CliException.Usage($"The {kind} kind takes its value as VALUE.", "The name options (--given, --family ...) and the address options (--street, --locality ...) do not apply to it.");
        }
    }

    /// <summary>The command-line name of a field the validator names by its JSON path.</summary>
    private static string OptionFor(string field) => field switch
    {
        "kind" => "KIND",
        "text" => "VALUE",
        "label" => "--label",
        "name" => "name (--given, --family ...)",
        "address" => "address (--street, --locality, --postal-code ...)",
        "name.given" => "--given",
        "name.family" => "--family",
        "name.middle" => "--middle",
        "name.prefix" => "--prefix",
        "name.suffix" => "--suffix",
        "address.street" => "--street",
        "address.locality" => "--locality",
        "address.region" => "--region",
        "address.postalCode" => "--postal-code",
        "address.country" => "--country",
        _ => field,
    };

    private static Command Remove(CliCommands cli)
    {
        var id = new Argument<Guid>("FIELD_ID") { Description = "The field's id (see `symbolon profile show`)." };
        var command = new Command("remove", "Remove a field. It stays in the history until `symbolon purge`.") { id };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            await operations.RemoveFieldAsync(result.GetValue(id), ct);
            cli.Say($"Removed field {result.GetValue(id)}. Its history stays until `symbolon purge`.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command History(CliCommands cli)
    {
        var id = new Argument<Guid?>("FIELD_ID") { Arity = ArgumentArity.ZeroOrOne, Description = "One field's id; without it, every field, removed ones included." };
        var json = new Option<bool>("--json") { Description = "Print the history as JSON." };
        var command = new Command("history", "Who changed what, and when: every version of each field, old value → new value.") { id, json };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            IReadOnlyList<ProfileFieldHistory> histories = result.GetValue(id) is { } fieldId
                ? [await operations.GetFieldHistoryAsync(fieldId, ct)]
                : await operations.GetHistoryAsync(ct);
            if (result.GetValue(json))
            {
                if (result.GetValue(id) is null)
                {
                    CliJson.Write(cli.Env, histories);
                }
                else
                {
                    CliJson.Write(cli.Env, histories[0]);
                }

                return ExitCodes.Success;
            }

            if (histories.Count == 0)
            {
                cli.Say("The profile has no history yet.");
                return ExitCodes.Success;
            }

            foreach (var history in histories)
            {
                var table = new Table { Title = new TableTitle($"{history.Kind} {history.FieldId}{(history.Deleted ? " (removed)" : "")}") }
                    .AddColumns("Version", "When", "By", "Change");
                ProfileFieldVersion? previous = null;
                foreach (var version in history.Versions)
                {
                    table.AddRow(
                        Display.Cell(version.Version.ToString(CultureInfo.InvariantCulture)),
                        Display.Cell(Display.Time(version.ChangedAt, context.Time)),
                        Display.Cell(version.Actor.DisplayName),
                        Display.Cell(Change(previous, version)));
                    previous = version;
                }

                cli.Env.OutConsole.Write(table);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>What a version did, as "old → new" (with the label when that changed).</summary>
    private static string Change(ProfileFieldVersion? previous, ProfileFieldVersion version)
    {
        static string Describe(ProfileFieldVersion v)
        {
            var value = Display.Value(v.Text, v.Name, v.Address);
            return v.Label is null ? value : $"{value} ({v.Label})";
        }

        return version.Operation switch
        {
            "create" => $"added: {Describe(version)}",
            "delete" => previous is null ? "removed" : $"removed: {Describe(previous)}",
            _ => previous is null ? Describe(version) : $"{Describe(previous)} → {Describe(version)}",
        };
    }

    private static Command VCard(CliCommands cli)
    {
        var jcard = new Option<bool>("--jcard") { Description = "Write a jCard (RFC 7095, JSON) instead of a vCard 4.0." };
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file (readable by you only) instead of standard output.", HelpName = "FILE" };
        var force = new Option<bool>("--force") { Description = "Replace the file if it exists." };
        var command = new Command("vcard", "The profile as a vCard 4.0 (RFC 6350), or a jCard with --jcard.") { jcard, output, force };
        cli.SetAction(command, async (context, result, ct) =>
        {
            var operations = await context.ConnectAsync(ct);
            var card = await operations.GetVCardAsync(result.GetValue(jcard), ct);
            if (result.GetValue(output) is { } file)
            {
                await PrivateFile.WriteAsync(file, result.GetValue(force), async stream =>
                {
                    await using var writer = new StreamWriter(stream);
                    await writer.WriteAsync(card);
                });
                cli.Note($"Wrote the {(result.GetValue(jcard) ? "jCard" : "vCard")} to {file}.");
            }
            else
            {
                cli.Env.Out.Write(card);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private sealed class NameOptions
    {
        private readonly Option<string?> _given = new("--given") { Description = "name: given (first) name.", HelpName = "TEXT" };
        private readonly Option<string?> _family = new("--family") { Description = "name: family (last) name.", HelpName = "TEXT" };
        private readonly Option<string?> _middle = new("--middle") { Description = "name: middle or additional names.", HelpName = "TEXT" };
        private readonly Option<string?> _prefix = new("--prefix") { Description = "name: honorific prefix, e.g. Dr.", HelpName = "TEXT" };
        private readonly Option<string?> _suffix = new("--suffix") { Description = "name: honorific suffix, e.g. Jr.", HelpName = "TEXT" };

        public void AddTo(Command command)
        {
            command.Options.Add(_given);
            command.Options.Add(_family);
            command.Options.Add(_middle);
            command.Options.Add(_prefix);
            command.Options.Add(_suffix);
        }

        /// <summary>The parts given, or null when none was.</summary>
        public PersonName? Read(ParseResult result)
        {
            var parts = new[] { _given, _family, _middle, _prefix, _suffix };
            return parts.All(p => result.GetResult(p) is null)
                ? null
                : new PersonName(result.GetValue(_given), result.GetValue(_family), result.GetValue(_middle), result.GetValue(_prefix), result.GetValue(_suffix));
        }

        public static PersonName? Merge(PersonName? existing, PersonName? given) =>
            given is null ? existing : existing is null ? given : new PersonName(
                given.Given ?? existing.Given,
                given.Family ?? existing.Family,
                given.Middle ?? existing.Middle,
                given.Prefix ?? existing.Prefix,
                given.Suffix ?? existing.Suffix);
    }

    private sealed class AddressOptions
    {
        private readonly Option<string?> _street = new("--street") { Description = "postal_address: street and number.", HelpName = "TEXT" };
        private readonly Option<string?> _locality = new("--locality") { Description = "postal_address: city or town.", HelpName = "TEXT" };
        private readonly Option<string?> _region = new("--region") { Description = "postal_address: state, province or region.", HelpName = "TEXT" };
        private readonly Option<string?> _postalCode = new("--postal-code") { Description = "postal_address: postal code.", HelpName = "TEXT" };
        private readonly Option<string?> _country = new("--country") { Description = "postal_address: two-letter country code, e.g. NL or US.", HelpName = "CODE" };

        public void AddTo(Command command)
        {
            command.Options.Add(_street);
            command.Options.Add(_locality);
            command.Options.Add(_region);
            command.Options.Add(_postalCode);
            command.Options.Add(_country);
        }

        public PostalAddress? Read(ParseResult result)
        {
            var parts = new[] { _street, _locality, _region, _postalCode, _country };
            return parts.All(p => result.GetResult(p) is null)
                ? null
                : new PostalAddress(result.GetValue(_street), result.GetValue(_locality), result.GetValue(_region), result.GetValue(_postalCode), result.GetValue(_country));
        }

        public static PostalAddress? Merge(PostalAddress? existing, PostalAddress? given) =>
            given is null ? existing : existing is null ? given : new PostalAddress(
                given.Street ?? existing.Street,
                given.Locality ?? existing.Locality,
                given.Region ?? existing.Region,
                given.PostalCode ?? existing.PostalCode,
                given.Country ?? existing.Country);
    }
}
