using System.IO.Compression;
using System.Security.Cryptography;
using MiaLab.Core.Data;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Tests.IO;

namespace MiaLab.Core.Tests.Data;

/// <summary>The HTTP way to fetch Fashion-MNIST, against a loopback server started by each test.</summary>
public class VerifiedDownloadTests
{
    private const string Installed = "/usr/share/datasets/fashion-mnist";

    private static readonly string[] Names =
        [FashionMnist.TrainImages, FashionMnist.TrainLabels, FashionMnist.TestImages, FashionMnist.TestLabels];

    /// <summary>The raw IDX content of a tiny copy (2 images of 2×2 pixels per split), by name.</summary>
    private static Dictionary<string, byte[]> TinyContent()
    {
        using var dir = new TempFolder();
        FashionMnistTests.WriteTinyCopy(dir.Path, 2, 2);
        return Names.ToDictionary(n => n, n => File.ReadAllBytes(dir.File(n)));
    }

    private static Dictionary<string, ExpectedContent> TableOf(Dictionary<string, byte[]> content) =>
        Names.ToDictionary(n => n, n => new ExpectedContent(Convert.ToHexStringLower(SHA256.HashData(content[n])), content[n].Length));

    private static byte[] Gzip(byte[] raw)
    {
        using var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(raw);
        return memory.ToArray();
    }

    private static void ServeAll(LoopbackHttpServer server, Dictionary<string, byte[]> content)
    {
        foreach (var (name, raw) in content) server.Serve(name + ".gz", new(Gzip(raw)));
    }

    /// <summary>The folder's file names, sorted (hidden temporary files included).</summary>
    private static string[] FilesIn(string dir) =>
        [.. Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).Cast<string>()];

    [Fact]
    public void DownloadsVerifiesAndPlacesTheFourFilesWithByteProgress()
    {
        var content = TinyContent();
        using var server = new LoopbackHttpServer();
        ServeAll(server, content);
        using var target = new TempFolder();
        var progress = new List<StageProgress>();

        string? failure = VerifiedDownload.FetchAll(server.BaseUrl, target.Path, TableOf(content), progress.Add, null, default);

        Assert.Null(failure);
        Assert.Equal(Names.Select(n => n + ".gz").Order(StringComparer.Ordinal), FilesIn(target.Path));
        foreach (string name in Names)
        {
            // The stored file is the served gzip, byte for byte.
            byte[] served = Gzip(content[name]);
            Assert.Equal(served, File.ReadAllBytes(Path.Combine(target.Path, name + ".gz")));
            var reports = progress.Where(p => p.Task == $"download {name}.gz").ToList();
            Assert.True(reports.Count >= 2, $"{name}: a first and a last report");
            Assert.All(reports, p => Assert.Equal(served.Length, p.Total));
            Assert.Equal(0, reports[0].Done);
            Assert.Equal(served.Length, reports[^1].Done);
            Assert.Equal(reports.Select(p => p.Done).Order(), reports.Select(p => p.Done));
        }
        var (train, test) = FashionMnist.Load(target.Path);
        Assert.Equal(2, train.Count);
        Assert.Equal([3L, 9L], test.Labels);
    }

    [Fact]
    public void TheKnownHashesAcceptTheInstalledDebianCopyServedOverHttp()
    {
        // Debian's .gz files are recompressed; their decompressed content is upstream's.
        using var server = new LoopbackHttpServer();
        foreach (string name in Names)
            server.Serve(name + ".gz", new(File.ReadAllBytes(Path.Combine(Installed, name + ".gz"))));
        using var target = new TempFolder();

        Assert.Null(VerifiedDownload.FetchAll(server.BaseUrl, target.Path, FashionMnist.KnownContent, null, null, default));

        var (train, test) = FashionMnist.Load(target.Path);
        Assert.Equal(60_000, train.Count);
        Assert.Equal(10_000, test.Count);
        Assert.Equal(Names.Select(n => server.BaseUrl.AbsolutePath + n + ".gz"), server.Requests);
    }

    [Theory]
    [InlineData("one byte changed", "SHA-256")]
    [InlineData("content one byte short", "truncated")]
    [InlineData("content one byte long", "longer than")]
    [InlineData("connection dropped halfway", "")]
    [InlineData("not gzip", "")]
    [InlineData("missing", "404")]
    public void ABadDownloadIsRefusedAndLeavesNothingThatCountsAsTheDataset(string fault, string reasonContains)
    {
        var content = TinyContent();
        using var server = new LoopbackHttpServer();
        ServeAll(server, content);
        string bad = FashionMnist.TrainLabels; // the second file: the first is then in place, the others never fetched
        byte[] raw = content[bad];
        byte[] changed = [.. raw];
        changed[^1] ^= 0x01;
        LoopbackHttpServer.Served? served = fault switch
        {
            "one byte changed" => new(Gzip(changed)),
            "content one byte short" => new(Gzip(raw[..^1])),
            "content one byte long" => new(Gzip([.. raw, 0])),
            "connection dropped halfway" => new(Gzip(raw), Cut: Gzip(raw).Length / 2),
            "not gzip" => new(raw),
            _ => null,
        };
        if (served is null) server.Withdraw(bad + ".gz");
        else server.Serve(bad + ".gz", served);
        using var target = new TempFolder();

        string? failure = VerifiedDownload.FetchAll(server.BaseUrl, target.Path, TableOf(content), null, null, default);

        Assert.NotNull(failure);
        Assert.Contains(new Uri(server.BaseUrl, bad + ".gz").ToString(), failure);
        Assert.Contains(reasonContains, failure);
        Assert.DoesNotContain('\n', failure);
        // Only the verified first file is there: no partial, corrupt or temporary file.
        Assert.Equal([FashionMnist.TrainImages + ".gz"], FilesIn(target.Path));
        Assert.Throws<InputException>(() => FashionMnist.LocateOrFetch([target.Path], [], null));
    }

    [Fact]
    public void AVerifiedFileIsNotFetchedAgainAndAnUnverifiedOneIsReplaced()
    {
        var content = TinyContent();
        using var server = new LoopbackHttpServer();
        ServeAll(server, content);
        using var target = new TempFolder();
        // An earlier fetch left the first file verified, and an unverified second one (say, put there by hand).
        File.WriteAllBytes(target.File(FashionMnist.TrainImages + ".gz"), Gzip(content[FashionMnist.TrainImages]));
        File.WriteAllBytes(target.File(FashionMnist.TrainLabels + ".gz"), Gzip([1, 2, 3]));
        // The temporary file of a download whose process is gone (no process has this id).
        string orphan = target.File($".{FashionMnist.TestImages}.gz.{int.MaxValue}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(orphan, [1]);

        Assert.Null(VerifiedDownload.FetchAll(server.BaseUrl, target.Path, TableOf(content), null, null, default));

        Assert.Equal(new[] { FashionMnist.TrainLabels, FashionMnist.TestImages, FashionMnist.TestLabels }.Select(n => server.BaseUrl.AbsolutePath + n + ".gz"),
            server.Requests);
        Assert.Equal(Gzip(content[FashionMnist.TrainLabels]), File.ReadAllBytes(target.File(FashionMnist.TrainLabels + ".gz")));
        Assert.False(File.Exists(orphan));
        Assert.Equal(Names.Select(n => n + ".gz").Order(StringComparer.Ordinal), FilesIn(target.Path));
    }
}
