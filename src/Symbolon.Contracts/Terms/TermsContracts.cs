namespace Symbolon.Contracts.Terms;

/// <summary>The standard agreements the vault can proffer, and which it proffers now.</summary>
/// <param name="Agreements">Every agreement the vault knows, in roster order.</param>
public sealed record ProfferedTerms(IReadOnlyList<TermsOption> Agreements);

/// <summary>One standard agreement (IEEE 7012 "MyTerms" roster entry).</summary>
/// <param name="Id">The roster id, for example <c>SD-BASE</c>.</param>
/// <param name="Title">Its short title.</param>
/// <param name="Text">Its full text.</param>
/// <param name="TextSha256">Lower-case hex SHA-256 of the UTF-8 text.</param>
/// <param name="Proffered">True when vendors may accept it now.</param>
public sealed record TermsOption(string Id, string Title, string Text, string TextSha256, bool Proffered);

/// <summary>Chooses the agreements the vault proffers. Relationships already running keep theirs.</summary>
/// <param name="Proffered">Roster ids; at least one.</param>
public sealed record SetProfferedTermsRequest(IReadOnlyList<string> Proffered);
