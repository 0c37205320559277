// MSBuild task (compiled by RoslynCodeTaskFactory against netstandard2.0, hence the plain APIs): marks one version-needed entry of an ELF
// shared library as weak (VER_FLG_WEAK), so the dynamic loader accepts a host whose library
// lacks that version. Used for TorchSharp's libLibTorchSharp.so, which names GLIBCXX_3.4.32 but
// only for one symbol (_ZSt21ios_base_library_initv) that nothing relocates.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class WeakenElfVersionNeed : Task
{
    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();
    [Required] public string VersionName { get; set; } = "";
    /// <summary>The host library that should define VersionName, e.g. libstdc++.so.6.</summary>
    [Required] public string HostLibrary { get; set; } = "";

    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    public override bool Execute()
    {
        if (Files.Length == 0) return true;
        string host = FindHostLibrary();
        if (host == null)
        {
            Log.LogMessage(MessageImportance.Low, $"{HostLibrary} not found; leaving {Files.Length} file(s) as they are.");
            return true;
        }
        if (Contains(File.ReadAllBytes(host), Encoding.ASCII.GetBytes(VersionName + "\0")))
        {
            Log.LogMessage(MessageImportance.Low, $"{host} defines {VersionName}; no patch needed.");
            return true;
        }
        foreach (var item in Files)
        {
            string path = item.ItemSpec;
            try
            {
                if (PatchInPlaceSafely(path))
                    Log.LogMessage(MessageImportance.High, $"Marked {VersionName} weak in {path} (host libstdc++ lacks it).");
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                Log.LogError($"Could not patch {path}: {e.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }

    string FindHostLibrary()
    {
        string[] dirs = { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib" };
        foreach (var d in dirs)
        {
            string p = Path.Combine(d, HostLibrary);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// Patches a private copy and renames it over the original, so a hard link into the NuGet
    /// cache is never written through. Keeps the timestamp so incremental copies stay skipped.
    bool PatchInPlaceSafely(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        long offset = FindFlagsOffset(elf);
        if (offset < 0) return false; // the library does not need that version: nothing to do
        ushort flags = BitConverter.ToUInt16(elf, (int)offset);
        if ((flags & VerFlgWeak) != 0) return false; // already weak
        BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(elf, (int)offset);
        DateTime stamp = File.GetLastWriteTimeUtc(path);
        string tmp = path + ".patching";
        File.WriteAllBytes(tmp, elf);
        File.SetLastWriteTimeUtc(tmp, stamp);
        File.Replace(tmp, path, null); // rename over the original
        return true;
    }

    /// Returns the file offset of vna_flags of the Vernaux entry named VersionName, or -1.
    long FindFlagsOffset(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("only 64-bit little-endian ELF is supported");
        long shoff = BitConverter.ToInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (int s = 0; s < shnum; s++)
        {
            long sh = shoff + (long)s * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            long secOff = BitConverter.ToInt64(elf, (int)sh + 0x18);
            int link = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28);
            long strOff = BitConverter.ToInt64(elf, (int)(shoff + (long)link * shentsize) + 0x18);
            long need = secOff;
            while (true)
            {
                int cnt = BitConverter.ToUInt16(elf, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int a = 0; a < cnt; a++)
                {
                    long name = strOff + BitConverter.ToUInt32(elf, (int)aux + 8);
                    if (ReadCString(elf, name) == VersionName) return aux + 4;
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                uint next = BitConverter.ToUInt32(elf, (int)need + 12);
                if (next == 0) break;
                need += next;
            }
        }
        return -1;
    }

    static string ReadCString(byte[] b, long at)
    {
        int end = (int)at;
        while (b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, (int)at, end - (int)at);
    }

    static bool Contains(byte[] hay, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= hay.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && hay[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }
}
