using Symbolon.Contracts.Vendor;

namespace Symbolon.Client;

/// <summary>The result of reading the profile with <see cref="VendorSession.GetProfileAsync"/>.</summary>
/// <param name="Profile">The granted fields: fresh, or the copy read earlier when nothing changed.</param>
/// <param name="ETag">The profile's entity tag; it changes whenever anything the vendor may see changes.</param>
/// <param name="NotModified">True when the vault answered 304: nothing changed since the last read in this session.</param>
public sealed record ProfileRead(VendorProfile Profile, string? ETag, bool NotModified);
