using System.Security.Cryptography;

namespace MiaLab.Core.IO;

/// <summary>SHA-256 fingerprints of files, as lower-case hex (the form manifests and records store).</summary>
public static class FileHash
{
    public static string Sha256(string path)
    {
        try
        {
            using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return Convert.ToHexStringLower(SHA256.HashData(s));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException($"{path}: file not found");
        }
    }

    /// <summary>The SHA-256 of a file, or null when it does not exist.</summary>
    public static string? Sha256OrNull(string path) => File.Exists(path) ? Sha256(path) : null;
}
