using System.Text.Json;
using MiaLab.Core.IO;

namespace MiaLab.Core.Runs;

/// <summary>
/// progress/model-XXXX.json: how far a model's training has come, written by the process training
/// it (every 5 s at most) and removed when the model is committed. What `mialab train --status`
/// shows for models in progress while shard processes or a SLURM array fill the run; the model's
/// record, not this file, says whether it is complete.
/// </summary>
public sealed record TrainingProgress(int Model, int Step, int Steps, string Host, int Pid, DateTime UpdatedUtc)
{
    public double Fraction => Steps <= 0 ? 0 : (double)Step / Steps;

    public void Write(RunLayout paths)
    {
        Directory.CreateDirectory(paths.ProgressDirectory);
        AtomicFile.WriteAllText(paths.Progress(Model), JsonSerializer.Serialize(this, Manifest.Json) + "\n");
    }

    /// <summary>The progress of model m, or null when none is recorded (or the file is half-read).</summary>
    public static TrainingProgress? Read(RunLayout paths, int m)
    {
        string path = paths.Progress(m);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<TrainingProgress>(File.ReadAllText(path), Manifest.Json);
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }

    public static void Remove(RunLayout paths, int m)
    {
        string path = paths.Progress(m);
        if (File.Exists(path)) File.Delete(path);
    }
}
