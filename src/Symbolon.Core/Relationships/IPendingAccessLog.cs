namespace Symbolon.Core.Relationships;

/// <summary>
/// Access-log lines a host has counted but not yet committed (the server folds allowed vendor reads in memory and
/// commits them every second). Whatever shows the person the access log commits them first, so they see every read
/// up to the moment they look. A host without pending lines (the CLI's local mode) registers none.
/// </summary>
public interface IPendingAccessLog
{
    /// <summary>Completes when every line counted before the call is committed.</summary>
    Task FlushAsync();
}
