using Symbolon.Contracts.Vendor;
using Symbolon.Server.OAuth;

namespace Symbolon.Server.Tests.VendorProtocol;

public sealed class ConsentDecisionTests
{
    [Fact]
    public void A_datatype_asked_in_two_entries_keeps_the_actions_of_both()
    {
        AuthorizationDetail[] details =
        [
            new(Datatypes.AuthorizationDetailsType, [Datatypes.Loyalty, Datatypes.Receipts], [DataActions.Append], "Stamp your card", "SD-BASE"),
            new(Datatypes.AuthorizationDetailsType, [Datatypes.Loyalty], [DataActions.Read], "Show your balance at the till", "SD-BASE"),
            new(Datatypes.AuthorizationDetailsType, [Datatypes.Loyalty], [DataActions.Read], "Show your balance at the till", "SD-BASE"),
        ];

        var granted = ConsentDecision.All(details);

        Assert.Equal(3, granted.Count);
        var loyalty = granted.Where(g => g.Datatype == Datatypes.Loyalty).ToList();
        Assert.Contains(loyalty, g => g.Allows(DataActions.Append) && g.Purpose == "Stamp your card");
        Assert.Contains(loyalty, g => g.Allows(DataActions.Read) && g.Purpose == "Show your balance at the till");
    }

    [Fact]
    public void Unticking_a_datatype_drops_it_from_every_entry()
    {
        AuthorizationDetail[] details =
        [
            new(Datatypes.AuthorizationDetailsType, [Datatypes.Email, Datatypes.Loyalty], [DataActions.Read], "Know you at the till", "SD-BASE"),
            new(Datatypes.AuthorizationDetailsType, [Datatypes.Loyalty], [DataActions.Append], "Stamp your card", "SD-BASE"),
        ];

        var granted = ConsentDecision.Decide(details, new HashSet<string>([Datatypes.Email]), _ => null);

        Assert.Equal(Datatypes.Email, Assert.Single(granted).Datatype);
    }
}
