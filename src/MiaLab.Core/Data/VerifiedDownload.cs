using System.IO.Compression;
using System.Security.Cryptography;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;

namespace MiaLab.Core.Data;

/// <summary>The SHA-256 (lower-case hex) and length in bytes of a file's decompressed content.</summary>
internal sealed record ExpectedContent(string Sha256, long Length);

/// <summary>
/// Downloads gzip files over HTTP and keeps one only when its decompressed content has the
/// expected SHA-256 and length. Checking the decompressed content (not the .gz bytes) accepts
/// any faithful recompression, such as Debian's. A file is written through
/// <see cref="AtomicFile"/> and verified while it arrives, so a truncated, corrupt or
/// interrupted download is never renamed into place.
/// </summary>
internal static class VerifiedDownload
{
    /// <summary>A download that receives nothing for this long is abandoned.</summary>
    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(60);

    /// <summary>
    /// For each name, fetches <c>{baseUrl}{name}.gz</c> into <c>{folder}/{name}.gz</c>, unless a
    /// verified copy is already there (an earlier, interrupted fetch). Stops at the first file
    /// that fails. Null on success, else a one-line reason naming the URL.
    /// </summary>
    public static string? FetchAll(Uri baseUrl, string folder, IReadOnlyDictionary<string, ExpectedContent> files,
        Action<StageProgress>? progress, Action<string>? log, CancellationToken cancel)
    {
        Directory.CreateDirectory(folder);
        foreach (string leftover in Directory.GetFiles(folder, ".*.tmp").Where(AtomicFile.IsOrphanedTemporary))
            File.Delete(leftover); // the temporary file of a download that was killed
        using var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("MiaLab");
        foreach (var (name, expected) in files)
        {
            string path = Path.Combine(folder, name + ".gz");
            if (File.Exists(path) && IsVerified(path, expected)) continue;
            var url = new Uri(baseUrl, name + ".gz");
            log?.Invoke($"Downloading {url}");
            if (Fetch(client, url, path, expected, progress, cancel) is string failure) return failure;
        }
        return null;
    }

    private static string? Fetch(HttpClient client, Uri url, string path, ExpectedContent expected,
        Action<StageProgress>? progress, CancellationToken cancel)
    {
        try
        {
            AtomicFile.Write(path, file => Receive(client, url, file, expected, progress, cancel));
            return null;
        }
        catch (RefusedDownload e)
        {
            return $"{url}: {e.Message}";
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return $"{url}: nothing received for {StallLimit.TotalSeconds:0} s";
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return $"{url}: {e.Message}";
        }
    }

    /// <summary>Streams the response into the file while decompressing and hashing the same bytes;
    /// throws (so AtomicFile drops the temporary file) unless the content is as expected.</summary>
    private static void Receive(HttpClient client, Uri url, Stream file, ExpectedContent expected,
        Action<StageProgress>? progress, CancellationToken cancel)
    {
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        stall.CancelAfter(StallLimit);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        using var response = client.Send(request, HttpCompletionOption.ResponseHeadersRead, stall.Token);
        if (!response.IsSuccessStatusCode)
            throw new RefusedDownload($"the server answered {(int)response.StatusCode} {response.ReasonPhrase}");
        long? announced = response.Content.Headers.ContentLength;
        string task = $"download {Path.GetFileName(url.AbsolutePath)}";
        progress?.Invoke(new StageProgress(task, 0, announced ?? 0));

        using var body = response.Content.ReadAsStream(stall.Token);
        using var tee = new CopyingReader(body, file, stall, StallLimit,
            received => progress?.Invoke(new StageProgress(task, received, announced ?? received)));
        var (sha256, length) = Digest(tee, expected.Length);
        if (length > expected.Length)
            throw new RefusedDownload($"the decompressed content is longer than {expected.Length} bytes (not the expected file)");
        tee.CopyTo(Stream.Null); // anything after the gzip data still counts towards the length

        if (announced is long total && tee.Received != total)
            throw new RefusedDownload($"received {tee.Received} of {total} bytes");
        if (length < expected.Length)
            throw new RefusedDownload($"the decompressed content is {length} bytes, not {expected.Length} (truncated or not the expected file)");
        if (!string.Equals(sha256, expected.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new RefusedDownload($"the SHA-256 of the decompressed content is {sha256}, not {expected.Sha256} (corrupt or not the expected file)");
    }

    /// <summary>True when the gzip file's decompressed content has the expected SHA-256 and length.</summary>
    internal static bool IsVerified(string gzipPath, ExpectedContent expected)
    {
        try
        {
            using var file = File.OpenRead(gzipPath);
            var (sha256, length) = Digest(file, expected.Length);
            return length == expected.Length && string.Equals(sha256, expected.Sha256, StringComparison.OrdinalIgnoreCase);
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>SHA-256 and length of a gzip stream's decompressed content, reading at most one
    /// byte past <paramref name="limit"/> (a longer stream is wrong whatever follows).</summary>
    private static (string Sha256, long Length) Digest(Stream gzip, long limit)
    {
        using var gz = new GZipStream(gzip, CompressionMode.Decompress, leaveOpen: true);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long length = 0;
        int n;
        while (length <= limit && (n = gz.Read(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            length += n;
        }
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), length);
    }

    /// <summary>A download's failure that is the content's fault, not the connection's.</summary>
    private sealed class RefusedDownload(string message) : Exception(message);

    /// <summary>Reads the response body, writing every byte it returns to the file and reporting
    /// the count; each read that returns data restarts the stall timer.</summary>
    private sealed class CopyingReader(Stream source, Stream copy, CancellationTokenSource stall, TimeSpan stallLimit,
        Action<long> onReceived) : Stream
    {
        public long Received { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = source.ReadAsync(buffer.AsMemory(offset, count), stall.Token).AsTask().GetAwaiter().GetResult();
            if (n > 0)
            {
                copy.Write(buffer, offset, n);
                Received += n;
                stall.CancelAfter(stallLimit);
                onReceived(Received);
            }
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Received; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
