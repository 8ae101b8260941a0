using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Symbolon.Contracts.Vendor;
using Symbolon.Server.VendorApi;

namespace Symbolon.Server.Tests.VendorProtocol;

/// <summary>The vendor API's OpenAPI document lists exactly the routes the server maps under /api/v1.</summary>
public sealed class OpenApiDocumentTests : IDisposable
{
    private static readonly string[] OperationKeys = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    private readonly SymbolonApplicationFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Discovery_names_the_document_and_it_describes_every_vendor_route_and_nothing_else()
    {
        using var anonymous = _app.CreateOwnerClient();
        var metadata = await anonymous.GetFromJsonAsync<SymbolonMetadata>("/.well-known/symbolon");
        Assert.Equal(metadata!.Issuer + "api/v1/openapi.json", metadata.OpenApiDocument);

        var response = await anonymous.GetAsync(new Uri(metadata.OpenApiDocument!));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        Assert.StartsWith("3.1.", root.GetProperty("openapi").GetString(), StringComparison.Ordinal);

        var documented = root.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(member => OperationKeys.Contains(member.Name))
                .Select(member => $"{member.Name.ToUpperInvariant()} {Normalize(path.Name)}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        var mapped = MappedVendorRoutes();
        Assert.NotEmpty(mapped);
        Assert.Equal(mapped, documented);

        // The document is generated once and then served as it is.
        Assert.Equal(bytes, await anonymous.GetByteArrayAsync(VendorOpenApi.Path));
    }

    [Fact]
    public async Task The_document_states_which_credentials_each_route_takes()
    {
        using var anonymous = _app.CreateOwnerClient();
        using var document = JsonDocument.Parse(await anonymous.GetByteArrayAsync(VendorOpenApi.Path));
        var root = document.RootElement;

        var schemes = root.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("http", schemes.GetProperty("accessToken").GetProperty("type").GetString());
        Assert.Equal("bearer", schemes.GetProperty("accessToken").GetProperty("scheme").GetString());
        Assert.Equal("basic", schemes.GetProperty("clientSecret").GetProperty("scheme").GetString());
        Assert.False(root.TryGetProperty("servers", out _));

        var paths = root.GetProperty("paths");
        Assert.Equal(["accessToken"], SchemesOf(paths.GetProperty("/api/v1/profile").GetProperty("get")));
        Assert.Equal(["clientSecret"], SchemesOf(paths.GetProperty("/api/v1/agreements").GetProperty("post")));
        Assert.Equal(["accessToken", "clientSecret"], SchemesOf(paths.GetProperty("/api/v1/requests/{requestId}/replies").GetProperty("post")));
    }

    /// <summary>"METHOD /path" for every endpoint mapped under the vendor prefix, but the document itself.</summary>
    private List<string> MappedVendorRoutes() =>
        _app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(endpoint => (endpoint, path: PathOf(endpoint.RoutePattern)))
            .Where(e => e.path.StartsWith(VendorApiEndpoints.Prefix + "/", StringComparison.Ordinal) && e.path != VendorOpenApi.Path)
            .SelectMany(e => (e.endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(method => $"{method} {Normalize(e.path)}"))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The route as OpenAPI writes it: parameters by name, without their constraints.</summary>
    private static string PathOf(RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => throw new InvalidOperationException($"Unexpected route part {part.PartKind}."),
        }))));

    /// <summary>Routing ignores a trailing slash (<c>/api/v1/requests/</c> is <c>/api/v1/requests</c>).</summary>
    private static string Normalize(string path) => path.Length > 1 ? path.TrimEnd('/') : path;

    private static string[] SchemesOf(JsonElement operation) =>
        [.. operation.GetProperty("security").EnumerateArray().SelectMany(requirement => requirement.EnumerateObject().Select(scheme => scheme.Name))];
}
