using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using HaCluster.Core.Api;
using HaCluster.Core.Cib;
using HaCluster.Core.Cib.Syntax;
using HaCluster.Core.Membership;
using HaCluster.Core.Status.Views;
using HaCluster.Daemon.LocalApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HaCluster.Daemon.Http;

/// <summary>
/// haclusterd's HTTP side (cluster.yaml <c>http:</c>), on Kestrel: the status page (/), the REST
/// API (/api/v1/..., docs/api.md) and Prometheus metrics (/metrics). Requests carry the token of
/// <c>http.token_file</c> as <c>Authorization: Bearer</c>; reads go without it only when
/// <c>read_without_token</c> says so. Every change goes through the same checks as the local API.
/// </summary>
public sealed class HttpServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly byte[]? token;
    private readonly HttpSettings settings;

    /// <summary>Where it listens, as the log says it (http[s]://ADDRESS:PORT).</summary>
    public string Url { get; }

    private HttpServer(WebApplication app, byte[]? token, HttpSettings settings, string url)
    {
        this.app = app;
        this.token = token;
        this.settings = settings;
        Url = url;
    }

    /// <summary>Builds and starts the server; throws with a message for the log when it cannot (bad token file, certificate, address in use).</summary>
    public static async Task<HttpServer> StartAsync(HttpSettings settings, string address, StatusSource status, ClusterMetrics metrics, HttpWrites writes,
        Func<string> history, Func<long, string?> historyInput, ILogger log, CancellationToken cancel)
    {
        var token = settings.TokenFile is { } tokenFile ? ReadToken(tokenFile) : null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var listen = IPAddress.Parse(settings.Listen ?? address);
        X509Certificate2? certificate = null;
        if (settings.Certificate is { } cert && settings.Key is { } key)
            certificate = X509Certificate2.CreateFromPemFile(cert, key);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(listen, settings.Port, l => { if (certificate is not null) l.UseHttps(certificate); });
            k.Limits.MaxRequestBodySize = 64L * 1024 * 1024;
            k.AddServerHeader = false;
        });
        var app = builder.Build();
        var url = $"{(certificate is null ? "http" : "https")}://{(listen.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{listen}]" : listen.ToString())}:{settings.Port}";
        var server = new HttpServer(app, token, settings, url);
        server.Map(status, metrics, writes, history, historyInput, log);
        await app.StartAsync(cancel);
        return server;
    }

    /// <summary>Reads the token file and the TLS certificate as the server will (for `haclusterd --check` and start-up): throws with the reason.</summary>
    public static void CheckFiles(HttpSettings settings)
    {
        if (settings.TokenFile is { } tokenFile) ReadToken(tokenFile);
        if (settings.Certificate is { } cert && settings.Key is { } key) X509Certificate2.CreateFromPemFile(cert, key).Dispose();
    }

    /// <summary>The token file: like the cluster key, not readable by others (group haclient may read it).</summary>
    private static byte[] ReadToken(string path)
    {
        if (!File.Exists(path)) throw new InvalidOperationException($"http.token_file {path} does not exist (e.g. openssl rand -hex 32 > {path}; chmod 0640; chgrp haclient)");
        var mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.GroupWrite)) != 0)
            throw new InvalidOperationException($"http.token_file {path} is readable or writable by others (mode {Convert.ToString((int)mode, 8)}); make it 0640 root:haclient or 0600");
        var text = File.ReadAllText(path).Trim();
        if (text.Length < 16) throw new InvalidOperationException($"http.token_file {path} holds a token of {text.Length} characters; use at least 16 (e.g. openssl rand -hex 32)");
        return Encoding.UTF8.GetBytes(text);
    }

    private bool Authorized(HttpContext http, bool write)
    {
        if (!write && settings.ReadWithoutToken) return true;
        if (token is null) return false;
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal)) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()), token);
    }

    private void Map(StatusSource status, ClusterMetrics metrics, HttpWrites writes, Func<string> history, Func<long, string?> historyInput, ILogger log)
    {
        app.Use(async (http, next) =>
        {
            var write = !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method);
            // The page itself holds no data (it asks the API, with the token it is given).
            if (http.Request.Path == "/" && !write) { await next(http); return; }
            if (!Authorized(http, write))
            {
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                http.Response.Headers.WWWAuthenticate = "Bearer";
                await http.Response.WriteAsync(write ? "changes need Authorization: Bearer TOKEN (http.token_file)\n" : "Authorization: Bearer TOKEN needed (http.token_file)\n");
                return;
            }
            await next(http);
        });

        app.MapGet("/", () => Results.Content(StatusPage.Html, "text/html; charset=utf-8"));
        app.MapGet("/metrics", async (HttpContext http) =>
        {
            http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.WriteAsync(http.Response.Body, http.RequestAborted);
        });
        app.MapGet("/api/v1/status", () => status.Current() is { } now
            ? Results.Content(StatusJson.Serialize(StatusJson.Build(now.Status, now.Picture, DateTimeOffset.UtcNow)), "application/json")
            : Problem(503, "starting up"));
        app.MapGet("/api/v1/config", (HttpContext http, string? format) =>
        {
            if (ConfigurationFiles.ParseFormatName(format ?? "crm") is not { } f) return Problem(400, $"unknown format '{format}' (crm, xml or yaml)");
            if (status.WithConfiguration() is not { } s) return Problem(503, "starting up");
            var parsed = s.ConfigurationXml is { } xml ? CibXmlReader.Parse(xml, "running") : null;
            if (parsed?.Config is not { } config) return Problem(503, "no configuration yet");
            // The version an edit of this text commits against (POST /api/v1/commit's "base").
            if (s.CibVersion is { } version) http.Response.Headers["X-Cib-Version"] = version;
            return f == ConfigurationFormat.Xml
                ? Results.Text(s.ConfigurationXml!, "application/xml")
                : Results.Text(ConfigurationFiles.Write(config, f), "text/plain; charset=utf-8");
        });
        app.MapGet("/api/v1/history", () => Results.Content(history(), "application/json"));
        app.MapGet("/api/v1/history/{sequence:long}/input", (long sequence) => historyInput(sequence) is { } xml
            ? Results.Text(xml, "application/xml")
            : Problem(404, $"transition {sequence}'s input is not kept on this node"));

        ApiCaller Caller(HttpContext http) => new(0, 0, $"http from {http.Connection.RemoteIpAddress}");
        app.MapPost("/api/v1/commit", async (HttpContext http) =>
        {
            CommitBody? body;
            try
            {
                body = await JsonSerializer.DeserializeAsync(http.Request.Body, HttpJsonContext.Default.CommitBody, http.RequestAborted);
            }
            catch (JsonException e)
            {
                return Problem(400, $"the body is not a commit: {e.Message}");
            }
            if (body?.Configuration is not { } text) return Problem(400, "the body is {\"configuration\": TEXT, \"format\": \"crm|xml|yaml\", \"base\": VERSION, \"force\": false}");
            if (ConfigurationFiles.ParseFormatName(body.Format ?? "crm") is not { } format) return Problem(400, $"unknown format '{body.Format}'");
            var caller = Caller(http);
            return Reply(await Task.Run(() => writes.Commit(text, format, body.Base, body.Force ?? false, caller)));
        });
        app.MapPost("/api/v1/resources/{id}/{action}", async (HttpContext http, string id, string action, string? node) =>
        {
            var caller = Caller(http);
            if (action == "cleanup") return Reply(writes.Cleanup(id, caller));
            if (ConfigurationEdits.ResourceAction(action, id, node) is not { } edit)
                return Problem(404, $"unknown resource action '{action}' (start, stop, promote, demote, move?node=NODE, clear, cleanup)");
            return Reply(await Task.Run(() => writes.Edit(edit, caller)));
        });
        app.MapPost("/api/v1/nodes/{name}/{action}", async (HttpContext http, string name, string action) =>
        {
            if (ConfigurationEdits.NodeAction(action, name) is not { } edit) return Problem(404, $"unknown node action '{action}' (standby, online, maintenance, ready)");
            var caller = Caller(http);
            return Reply(await Task.Run(() => writes.Edit(edit, caller)));
        });
        app.MapPut("/api/v1/nodes/{name}/attributes/{attribute}", async (HttpContext http, string name, string attribute) =>
        {
            var value = (await new StreamReader(http.Request.Body).ReadToEndAsync(http.RequestAborted)).Trim();
            var caller = Caller(http);
            return Reply(await Task.Run(() => writes.Attribute(name, attribute, value, caller)));
        });
        app.MapDelete("/api/v1/nodes/{name}/attributes/{attribute}", async (HttpContext http, string name, string attribute) =>
        {
            var caller = Caller(http);
            return Reply(await Task.Run(() => writes.Attribute(name, attribute, null, caller)));
        });
        log.LogDebug("HTTP routes mapped");
    }

    private static IResult Reply(ApiReply reply) => reply.Ok
        ? Results.Content(JsonSerializer.Serialize(new WriteReply(true, reply.Version, null), HttpJsonContext.Default.WriteReply), "application/json")
        : Results.Content(JsonSerializer.Serialize(new WriteReply(false, null, reply.Error), HttpJsonContext.Default.WriteReply), "application/json",
            statusCode: HaCluster.Core.Control.StaleBase.Refused(reply.Error) ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity);

    private static IResult Problem(int code, string message) =>
        Results.Content(JsonSerializer.Serialize(new WriteReply(false, null, message), HttpJsonContext.Default.WriteReply), "application/json", statusCode: code);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>POST /api/v1/commit's body.</summary>
public sealed record CommitBody(string? Configuration, string? Format, string? Base, bool? Force);

/// <summary>What a change answers: ok and the CIB version it became, or the error.</summary>
public sealed record WriteReply(bool Ok, string? Version, string? Error);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(CommitBody))]
[System.Text.Json.Serialization.JsonSerializable(typeof(WriteReply))]
public sealed partial class HttpJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
