using System.Text.Json;
using MiaLab.Core.IO;
using MiaLab.Core.Runs;

namespace MiaLab.Core.Cluster;

/// <summary>slurm.json: the SLURM array job submitted to fill a run directory (one task per shard).</summary>
public sealed record SlurmJob(string JobId, int Tasks, string Script, DateTime SubmittedUtc)
{
    public void Write(RunLayout paths) => AtomicFile.WriteAllText(paths.Slurm, JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>The run's SLURM job, or null when none was submitted.</summary>
    public static SlurmJob? Read(RunLayout paths)
    {
        if (!File.Exists(paths.Slurm)) return null;
        try
        {
            return JsonSerializer.Deserialize<SlurmJob>(File.ReadAllText(paths.Slurm), Json);
        }
        catch (JsonException e)
        {
            throw new InputException($"{paths.Slurm}: not a valid SLURM job record ({InputException.OneLine(e.Message)})");
        }
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NewLine = "\n",
    };
}
