namespace MiaLab.Experiments.Tests;

/// <summary>Folders of the repository the tests read.</summary>
internal static class TestPaths
{
    /// <summary>examples/ beside MiaLab.slnx, found from this source file's location.</summary>
    public static string Examples([System.Runtime.CompilerServices.CallerFilePath] string here = "")
    {
        for (var dir = new FileInfo(here).Directory; dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MiaLab.slnx"))) return Path.Combine(dir.FullName, "examples");
        throw new DirectoryNotFoundException("examples/ beside MiaLab.slnx");
    }
}
