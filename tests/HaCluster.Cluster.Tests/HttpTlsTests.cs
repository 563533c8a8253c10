using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HaCluster.Cluster.Tests;

/// <summary>http: with certificate and key: the daemon serves HTTPS only, with that certificate.</summary>
public sealed class HttpTlsTests : IDisposable
{
    private readonly int httpPort = TestCluster.RandomPort() + 4;
    private readonly TestCluster cluster;
    private readonly string token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
    private readonly X509Certificate2 certificate;

    public HttpTlsTests()
    {
        cluster = TestCluster.OnLoopback("tls", 1, 8, c => $$"""
            http: { port: {{httpPort}}, certificate: {{c.Dir}}/http.pem, key: {{c.Dir}}/http.key, token_file: {{c.Dir}}/http.token }
            """);
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=node1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(cluster.Dir, "http.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(cluster.Dir, "http.key"), key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(cluster.Dir, "http.token"), token);
        foreach (var f in new[] { "http.key", "http.token" }) File.SetUnixFileMode(Path.Combine(cluster.Dir, f), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public void Dispose()
    {
        certificate.Dispose();
        cluster.Dispose();
    }

    [Fact]
    public async Task With_a_certificate_the_api_answers_over_https_with_it_and_not_over_plain_http()
    {
        cluster.StartAll();
        await cluster.WaitForLog("node1", $"serving the status page, API and metrics on https://{cluster.NodeAddresses["node1"]}:{httpPort}");
        X509Certificate2? presented = null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
            {
                presented = cert is null ? null : new X509Certificate2(cert);
                return cert?.Thumbprint == certificate.Thumbprint;
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var status = await client.GetStringAsync($"https://{cluster.NodeAddresses["node1"]}:{httpPort}/api/v1/status");
        Assert.Contains("\"this_node\":\"node1\"", status);
        Assert.Equal(certificate.Thumbprint, presented?.Thumbprint);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetStringAsync($"http://{cluster.NodeAddresses["node1"]}:{httpPort}/api/v1/status"));
    }
}
