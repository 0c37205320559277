using MiaLab.Core.Mint;

namespace MiaLab.Reports;

/// <summary>Finds the MINT results of a run (ALGORITHMS.md §8) for the report.</summary>
public static class MintResults
{
    /// <summary>Every <c>model-XXXX-*.metrics.json</c> for the target in <paramref name="mintDirectory"/>, by file name;
    /// empty when the folder does not exist.</summary>
    public static IReadOnlyList<MintSummary> ReadAll(string mintDirectory, int target)
    {
        if (!Directory.Exists(mintDirectory)) return [];
        return Directory.EnumerateFiles(mintDirectory, $"model-{target:D4}-*.metrics.json")
            .Order(StringComparer.Ordinal)
            .Select(MintSummary.Read)
            .ToList();
    }
}
