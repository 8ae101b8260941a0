using Symbolon.Contracts.Conversations;
using Symbolon.Core.Requests;

namespace Symbolon.Core.Conversations;

/// <summary>Requests the person sent this vendor, and every reply on them (the vendor's answers and questions, the person's replies).</summary>
internal sealed class RequestsSource(RequestService requests) : IThreadSource
{
    public async Task<IEnumerable<ThreadEntry>> ReadAsync(ThreadContext context, CancellationToken ct)
    {
        var entries = new List<ThreadEntry>();
        foreach (var view in await requests.ListForVendorAsync(context.Keys, context.Relationship, ct))
        {
            var kind = RequestService.KindInWords(view.Value.Kind);
            var due = view.Entity.DueAt is { } at ? $" Due {at:yyyy-MM-dd}." : "";
            entries.Add(new ThreadEntry(view.Entity.Id.ToString(), ThreadEntryKinds.Request, view.Entity.SentAt, ThreadParties.Person,
                $"You sent a request: {kind}", (view.Value.Title ?? view.Value.Text ?? "") + due, Link: $"/requests/{view.Entity.Id}"));
            foreach (var (record, reply) in view.Replies)
            {
                var fromVendor = reply.Author == RequestService.AuthorVendor;
                var what = reply.Question ? "asked about" : reply.Status is { } status ? $"marked {status.Replace('_', ' ')}" : "replied to";
                var attachments = reply.Attachments.Count == 0 ? "" : $" ({reply.Attachments.Count} attachment{(reply.Attachments.Count == 1 ? "" : "s")}: {string.Join(", ", reply.Attachments.Select(a => a.FileName))})";
                entries.Add(new ThreadEntry(record.Id.ToString(), ThreadEntryKinds.Request, record.CreatedAt, fromVendor ? ThreadParties.Vendor : ThreadParties.Person,
                    $"{(fromVendor ? context.Relationship.VendorName : "You")} {what} your request: {kind}", (reply.Text ?? "") + attachments, Link: $"/requests/{view.Entity.Id}"));
            }
        }

        return entries;
    }
}
