namespace Symbolon.Contracts.Problems;

/// <summary>
/// Stable error codes carried in the <c>code</c> member of every RFC 9457 problem document the server returns.
/// Codes never change meaning; new ones are added at the end of their block.
/// </summary>
public static class ProblemCodes
{
    /// <summary>The request body is not valid JSON.</summary>
    public const string MalformedJson = "SYM1001";

    /// <summary>The request body has a member the endpoint does not know.</summary>
    public const string UnknownField = "SYM1002";

    /// <summary>One or more values are invalid; <c>errors</c> names each field and why.</summary>
    public const string InvalidValue = "SYM1003";

    /// <summary>The request body is larger than the endpoint accepts (413).</summary>
    public const string BodyTooLarge = "SYM1004";

    /// <summary>The request needs a JSON body.</summary>
    public const string MissingBody = "SYM1005";

    /// <summary>There is no endpoint at this address (404).</summary>
    public const string NoSuchEndpoint = "SYM1006";

    /// <summary>The endpoint exists but not for this HTTP method (405).</summary>
    public const string MethodNotAllowed = "SYM1007";

    /// <summary>The disk (or the database server's storage) holding the vault is full; nothing was changed (507).</summary>
    public const string StorageFull = "SYM1008";

    /// <summary>Authentication is required (401).</summary>
    public const string Unauthenticated = "SYM1101";

    /// <summary>The vault is locked (423).</summary>
    public const string VaultLocked = "SYM1102";

    /// <summary>
    /// A vendor asked to read while the person is away (423 with <c>Retry-After</c>): the vault is locked and holds no
    /// key to answer with. Writes that can wait are queued instead (202, see <c>QueuedWrite</c>).
    /// </summary>
    public const string PersonAway = "SYM1108";

    /// <summary>The person's sealed inbox holds as many items from this vendor, or in all, as it takes while they are away (429).</summary>
    public const string InboxFull = "SYM1109";

    /// <summary>The person's sealed inbox holds as many bytes from this vendor, or in all, as it takes while they are away (413).</summary>
    public const string InboxBytesFull = "SYM1110";

    /// <summary>Unattended mode cannot be used: the host key is missing, malformed, or readable by others (409).</summary>
    public const string HostKeyUnusable = "SYM1111";

    /// <summary>The passphrase or recovery key is wrong (401).</summary>
    public const string WrongPassphrase = "SYM1103";

    /// <summary>Too many failed unlock attempts; retry after the Retry-After header (429).</summary>
    public const string UnlockThrottled = "SYM1104";

    /// <summary>No vault has been created yet (404).</summary>
    public const string VaultNotFound = "SYM1105";

    /// <summary>A vault already exists (409).</summary>
    public const string VaultExists = "SYM1106";

    /// <summary>The passphrase is too weak (400).</summary>
    public const string WeakPassphrase = "SYM1107";

    /// <summary>The record does not exist (404).</summary>
    public const string RecordNotFound = "SYM1201";

    /// <summary>The record changed since the version the caller expected (409).</summary>
    public const string VersionConflict = "SYM1202";

    /// <summary>The record is deleted; restore or purge it instead (409).</summary>
    public const string RecordDeleted = "SYM1203";

    /// <summary>The backup file is damaged, truncated or not a Symbolon backup (400).</summary>
    public const string InvalidBackup = "SYM1301";

    /// <summary>The vendor's access token is missing, unknown, expired or revoked (401).</summary>
    public const string InvalidAccessToken = "SYM1401";

    /// <summary>The grant behind the token was revoked or expired, or the relationship ended (401).</summary>
    public const string GrantNotInForce = "SYM1402";

    /// <summary>The grant does not cover this datatype or action (403).</summary>
    public const string NotGranted = "SYM1403";

    /// <summary>The client could not be authenticated with its credentials (401).</summary>
    public const string InvalidClient = "SYM1404";

    /// <summary>An agreement was not proffered, its text hash differs, or a countersignature does not verify (400).</summary>
    public const string AgreementRefused = "SYM1405";

    /// <summary>An Idempotency-Key was reused for a different request (422).</summary>
    public const string IdempotencyKeyReused = "SYM1406";

    /// <summary>The change-feed cursor is malformed (400).</summary>
    public const string InvalidCursor = "SYM1407";

    /// <summary>No relationship, grant or agreement record with that id exists in the owner's vault (404).</summary>
    public const string RelationshipNotFound = "SYM1501";

    /// <summary>The card code is not one this vault issued (device authorization error <c>invalid_card_code</c>).</summary>
    public const string CardCodeUnknown = "SYM1601";

    /// <summary>The card code has expired; the person shows the card again for a fresh one.</summary>
    public const string CardCodeExpired = "SYM1602";

    /// <summary>The card code was already redeemed; each code pairs once.</summary>
    public const string CardCodeUsed = "SYM1603";

    /// <summary>No card request with that id exists in the owner's vault (404).</summary>
    public const string CardRequestNotFound = "SYM1604";

    /// <summary>The card request was already decided or has expired (409).</summary>
    public const string CardRequestNotPending = "SYM1605";

    /// <summary>A receipt is not valid: <c>errors</c> names each field by its path (for example <c>lines[2].quantity</c>) and why (400).</summary>
    public const string InvalidReceipt = "SYM1701";

    /// <summary>A receipt has more lines or a larger body than the vault accepts (413).</summary>
    public const string ReceiptTooLarge = "SYM1702";

    /// <summary>A loyalty redemption asks for more than the programme's balance (409).</summary>
    public const string InsufficientBalance = "SYM1703";

    /// <summary>A loyalty event is not valid (unknown kind, an amount out of range, a kind that does not fit the programme); <c>errors</c> names the field (400).</summary>
    public const string InvalidLoyaltyEvent = "SYM1704";

    /// <summary>A check-in is not valid (place, time, note or the vendors it is shared with); <c>errors</c> names the field (400).</summary>
    public const string InvalidCheckIn = "SYM1705";

    /// <summary>No receipt, loyalty programme or check-in with that id exists in the vault (404).</summary>
    public const string WalletItemNotFound = "SYM1706";

    /// <summary>A kept loyalty card's values are invalid, for example a card number that does not fit its barcode format; <c>errors</c> names each field (400).</summary>
    public const string LoyaltyCardInvalid = "SYM1801";

    /// <summary>A Catima CSV file cannot be imported; <c>errors</c> names each line and column, and nothing was imported (400).</summary>
    public const string CatimaImportInvalid = "SYM1802";

    /// <summary>The statement cannot be imported; the detail names the line or element and what is wrong, and nothing was imported (400).</summary>
    public const string InvalidStatement = "SYM2001";

    /// <summary>The statement's format could not be recognised, or the format hint is unknown (400).</summary>
    public const string UnknownStatementFormat = "SYM2002";

    /// <summary>No import profile with that name exists in the vault (404).</summary>
    public const string ImportProfileNotFound = "SYM2003";

    /// <summary>The statement is larger than the import endpoint accepts (413).</summary>
    public const string StatementTooLarge = "SYM2004";

    /// <summary>An insight's filter is invalid (unknown period or grouping, a date or amount range that is empty, a count out of range); <c>errors</c> names each parameter (400).</summary>
    public const string InvalidInsightFilter = "SYM2101";

    /// <summary>A category rule cannot be saved like this (no condition, an empty category, an amount range the wrong way round); <c>errors</c> names each field (400).</summary>
    public const string InvalidCategoryRule = "SYM2102";

    /// <summary>No category rule with that id exists in the vault (404).</summary>
    public const string CategoryRuleNotFound = "SYM2103";

    /// <summary>No imported transaction with that id exists in the vault (404).</summary>
    public const string TransactionNotFound = "SYM2104";

    /// <summary>A new order of the rules does not name every rule exactly once (400).</summary>
    public const string InvalidRuleOrder = "SYM2105";

    /// <summary>The query is not a single read-only SELECT (or WITH ... SELECT): statements that change or export data are refused (400).</summary>
    public const string QueryNotReadOnly = "SYM2150";

    /// <summary>The query could not run: the detail carries the SQL engine's message (a syntax error, an unknown column, refused file access) (400).</summary>
    public const string QueryFailed = "SYM2151";

    /// <summary>The query ran longer than a query may and was stopped (400).</summary>
    public const string QueryTimeout = "SYM2152";
    /// <summary>A request is not valid (kind, relationship, text, fields to correct, due date); <c>errors</c> names each field (400).</summary>
    public const string InvalidRequest = "SYM2201";

    /// <summary>No request with that id exists for this caller: the person's vault, or this vendor's relationship (404).</summary>
    public const string RequestNotFound = "SYM2202";

    /// <summary>The request is closed, or the status change is not allowed from where it is (409).</summary>
    public const string RequestClosed = "SYM2203";

    /// <summary>A reply to a request is not valid (status, text, attachments); <c>errors</c> names each field (400).</summary>
    public const string InvalidRequestReply = "SYM2204";

    /// <summary>An attachment, or the reply carrying it, is larger than the vault accepts; nothing was stored (413).</summary>
    public const string AttachmentTooLarge = "SYM2205";

    /// <summary>The relationship has ended, so no request can be sent to that vendor (409).</summary>
    public const string RelationshipEndedForRequests = "SYM2206";

    /// <summary>No attachment with that id belongs to the request (404).</summary>
    public const string AttachmentNotFound = "SYM2207";

    /// <summary>The person does not accept messages from this vendor (blocked); the person was not told (403).</summary>
    public const string MessagesBlocked = "SYM2301";

    /// <summary>A marketing message was refused: the relationship's agreement or the person's choice keeps it free of marketing; the detail names which (403).</summary>
    public const string MarketingRefused = "SYM2302";

    /// <summary>No pushed update with that reference exists for this vendor (404).</summary>
    public const string PushedUpdateNotFound = "SYM2303";

    /// <summary>The pushed update was already fetched; a value is handed out once (410).</summary>
    public const string PushedUpdateAlreadyFetched = "SYM2304";

    /// <summary>The relationship has ended (or the vendor has not accepted the person's terms yet), so nothing more can be sent in its thread (409).</summary>
    public const string ConversationClosed = "SYM2305";

    /// <summary>No profile field with that id exists to push (404).</summary>
    public const string PushFieldNotFound = "SYM2306";

    /// <summary>
    /// A change to the owner API made with the browser's session cookie came from another site or origin (another port
    /// of the same host, a sibling subdomain): only the web app itself, or a client with an access token, may change
    /// the vault (403).
    /// </summary>
    public const string CrossSiteRequest = "SYM2401";

    /// <summary>Reading the statement took longer than the server allows for one import (<c>Imports:MaxSeconds</c>); nothing was imported (422).</summary>
    public const string ImportTookTooLong = "SYM2451";

    /// <summary>Too many client registrations, pushed authorization requests or agreement acceptances from one address; nothing was stored; <c>Retry-After</c> says when to try again (429).</summary>
    public const string TooManyRequests = "SYM2551";

    /// <summary>The vendor used up its daily quota for this relationship (bytes of request replies, or count of messages or notes); nothing was stored; <c>Retry-After</c> says when the quota starts again (429).</summary>
    public const string VendorQuotaExceeded = "SYM2552";

    /// <summary>An unexpected error; the server log has details under the trace id (500).</summary>
    public const string Unexpected = "SYM1999";

    // SYM2501-SYM2549: issue 13 ("Nothing lost, nobody in"), vendor side.

    /// <summary>
    /// The vendor tried to re-accept an agreement that protects the person less than the one in force (for example
    /// SD-BASE under SD-BASE-NTP); only the person can loosen the terms (409).
    /// </summary>
    public const string AgreementWeakeningRefused = "SYM2501";

    /// <summary>
    /// The file cannot be imported as a vault: it is not JSON, not a Symbolon export, of a newer format version, or one
    /// of its sections is damaged; the detail names which, and nothing was written (400).
    /// </summary>
    public const string InvalidExport = "SYM2601";

    // SYM2701-SYM2749: issue 14 (intentcasting), the vault's side.

    /// <summary>No intent with that id exists in this vault, or (for a vendor) it was not addressed to this relationship (404).</summary>
    public const string IntentNotFound = "SYM2701";

    /// <summary>The intent is no longer open (accepted, withdrawn or expired): it takes no offers and no changes (409).</summary>
    public const string IntentNotOpen = "SYM2702";

    /// <summary>No offer with that id exists on this intent (404).</summary>
    public const string IntentOfferNotFound = "SYM2703";

    /// <summary>The offer is no longer open (declined, accepted, closed or past its own expiry) (409).</summary>
    public const string IntentOfferNotOpen = "SYM2704";

    /// <summary>The vendor already made an offer with this id on this intent; an offer is made once (409).</summary>
    public const string IntentOfferReplayed = "SYM2705";

    /// <summary>
    /// An invitation (from a person accepting an offer) cannot be redeemed: unknown, already used, taken back, or
    /// expired; one answer for all four, so it tells nothing (400, as the token endpoint's <c>invalid_grant</c>).
    /// </summary>
    public const string InvitationNotRedeemable = "SYM2751";

    /// <summary>
    /// An invitation asks for more than the person chose, or the vendor has not accepted the agreement it names (400,
    /// as the token endpoint's <c>invalid_grant</c>).
    /// </summary>
    public const string InvitationExceeded = "SYM2752";

    // SYM2901-SYM2949: issue 15 (EmanciPay payments); SYM2950-SYM2979 reserved for its later parts.

    /// <summary>No payee with that id exists in this vault (404).</summary>
    public const string PayeeNotFound = "SYM2901";

    /// <summary>No pledge with that id exists in this vault (404).</summary>
    public const string PledgeNotFound = "SYM2902";

    /// <summary>No payment with that id exists in this vault, or (for a vendor) none was made to this relationship (404).</summary>
    public const string PaymentNotFound = "SYM2903";

    /// <summary>The payment is settled or cancelled: it takes no change and shows no code to pay it again (409).</summary>
    public const string PaymentNotOpen = "SYM2904";

    /// <summary>
    /// The payment is held: the payee's IBAN changed and the person has not confirmed the new one, or it did not fit
    /// the month's budget. No code to pay it is shown until the person releases it (409).
    /// </summary>
    public const string PaymentHeld = "SYM2905";

    /// <summary>The payee has no instructions waiting for the person's approval (409).</summary>
    public const string PayeeInstructionsNotPending = "SYM2906";

    /// <summary>A countersignature does not verify over the record's signed content with the payee's registered key (400).</summary>
    public const string PaymentCountersignatureInvalid = "SYM2907";
}
