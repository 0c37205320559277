using MiaLab.Core.Attacks;
using MiaLab.Core.IO;
using MiaLab.Core.Runs;

namespace MiaLab.Core.Pipeline;

/// <summary>
/// Loads what the image-to-image attacks read from a run directory: keep, holdout, recon/model-XXXX.npy
/// of every model (float32 [N, A], finite and ≥ 0) and predictability.npy when present, checked for
/// consistency, with the SHA-256 of each file. Each problem is one <see cref="InputException"/>.
/// </summary>
public static class ReconstructionRunOutputs
{
    public const string Folder = "recon";

    /// <summary>An image-to-image run: its config has a task, or (a run another tool wrote) recon/ holds model files.</summary>
    public static bool IsImageToImage(RunDirectory run) =>
        run.Config is { } config ? config.Task is not null
        : Directory.Exists(run.Paths.ReconDirectory) && Directory.EnumerateFiles(run.Paths.ReconDirectory, "model-????.npy").Any();

    public static (ReconstructionOutputs Outputs, InputHashes Hashes) Load(RunDirectory run)
    {
        var keep = run.ReadKeep();
        var holdout = run.ReadHoldout();
        var paths = run.Paths;
        int n = run.Samples, models = keep.Length;
        var hashes = RunOutputs.PlanHashes(paths, keep, holdout, n);
        if (!Directory.Exists(paths.ReconDirectory))
            throw new InputException($"{paths.ReconDirectory}: not found; {RunLayout.KeepFile} has {models} models, each needs recon/model-NNNN.npy (run the query stage)");

        var errors = new float[models][];
        int a = -1;
        for (int m = 0; m < models; m++)
        {
            string path = paths.Recon(m);
            if (!File.Exists(path))
                throw new InputException($"{path}: not found; {RunLayout.KeepFile} has {models} models (run the query stage)");
            var array = Npy.Read(path);
            if (array.DType != DType.Float32)
                throw new InputException($"{path}: expected dtype float32, found {DTypes.Name(array.DType)}");
            if (array.Shape.Length != 2 || array.Shape[0] != n || array.Shape[1] < 1)
                throw new InputException($"{path}: expected shape (N, A) = ({n}, A), found {NpyArray.FormatShape(array.Shape)}");
            if (a < 0) a = array.Shape[1];
            else if (array.Shape[1] != a)
                throw new InputException($"{path}: has {array.Shape[1]} query augmentations but {paths.Recon(0)} has {a}");
            var values = array.Get<float>();
            int bad = Array.FindIndex(values, v => !float.IsFinite(v) || v < 0);
            if (bad >= 0)
                throw new InputException($"{path}: reconstruction error {values[bad]} at sample {bad / a} (query {bad % a}) is not a finite number ≥ 0");
            errors[m] = values;
            hashes[InputHashes.ModelKey(Folder, m)] = FileHash.Sha256(path);
        }

        double[]? predictability = null;
        if (File.Exists(paths.Predictability))
        {
            var array = Npy.Read(paths.Predictability);
            if (array.Shape.Length != 1 || array.Shape[0] != n)
                throw new InputException($"{paths.Predictability}: expected shape ({n},), found {NpyArray.FormatShape(array.Shape)}");
            predictability = array.ToFloat64();
            int bad = Array.FindIndex(predictability, v => !double.IsFinite(v));
            if (bad >= 0) throw new InputException($"{paths.Predictability}: L_pred of sample {bad} is {predictability[bad]}");
            hashes[RunLayout.PredictabilityFile] = FileHash.Sha256(paths.Predictability);
        }
        return (new ReconstructionOutputs(errors, keep, a, holdout, predictability), new InputHashes(hashes, Folder));
    }
}
