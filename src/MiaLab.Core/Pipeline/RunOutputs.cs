using MiaLab.Core.Attacks;
using MiaLab.Core.IO;
using MiaLab.Core.Runs;

namespace MiaLab.Core.Pipeline;

/// <summary>The SHA-256 of every file an attack read, keyed by its path inside the run directory
/// ("labels.npy", "logits/model-0003.npy", …): what makes a score file stale when any changes.
/// <paramref name="ModelFolder"/> holds one file per model: logits/, or recon/ for an image-to-image run.</summary>
public sealed record InputHashes(IReadOnlyDictionary<string, string> Files, string ModelFolder = "logits")
{
    /// <summary>The hashes an attack on <paramref name="target"/> with <paramref name="references"/> depends on.</summary>
    public IReadOnlyDictionary<string, string> For(int target, IEnumerable<int> references)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, sha) in Files)
            if (!file.StartsWith(ModelFolder + "/", StringComparison.Ordinal)) result[file] = sha;
        foreach (int m in references.Prepend(target).Distinct())
            result[ModelKey(ModelFolder, m)] = Files[ModelKey(ModelFolder, m)];
        return result;
    }

    public static string LogitsKey(int m) => ModelKey("logits", m);

    public static string ModelKey(string folder, int m) => $"{folder}/model-{m:D4}.npy";
}

/// <summary>
/// Loads what the attacks read from a run directory: labels, keep, holdout and the logits of every
/// model, checked for consistency (shapes, dtypes, label range, finite logits), and the SHA-256
/// of each file. Each problem is one <see cref="InputException"/> naming the file and both numbers.
/// </summary>
public static class RunOutputs
{
    /// <summary>What every kind of run's outputs start from (logits or reconstruction errors): at least one
    /// model, none training on a holdout sample, and the SHA-256 of labels.npy, keep.npy and holdout.npy.</summary>
    internal static Dictionary<string, string> PlanHashes(RunLayout paths, bool[][] keep, bool[]? holdout, int n)
    {
        int models = keep.Length;
        if (models < 1) throw new InputException($"{paths.Keep}: has no models (shape (0, {n}))");
        if (holdout is not null)
            for (int m = 0; m < models; m++)
                for (int i = 0; i < n; i++)
                    if (holdout[i] && keep[m][i])
                        throw new InputException($"{paths.Keep}: model {m} trains on sample {i}, which {RunLayout.HoldoutFile} marks as holdout");
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RunLayout.LabelsFile] = FileHash.Sha256(paths.Labels),
            [RunLayout.KeepFile] = FileHash.Sha256(paths.Keep),
        };
        if (holdout is not null) hashes[RunLayout.HoldoutFile] = FileHash.Sha256(paths.Holdout);
        return hashes;
    }

    public static (ModelOutputs Outputs, InputHashes Hashes) Load(RunDirectory run)
    {
        var labels = run.ReadLabels();
        var keep = run.ReadKeep();
        var holdout = run.ReadHoldout();
        var paths = run.Paths;
        int n = labels.Length, models = keep.Length;
        var hashes = PlanHashes(paths, keep, holdout, n);

        string dir = paths.LogitsDirectory;
        if (!Directory.Exists(dir))
            throw new InputException($"{dir}: not found; {RunLayout.KeepFile} has {models} models, each needs logits/model-NNNN.npy (run the query stage)");
        int files = Directory.EnumerateFiles(dir, "model-*.npy").Count();
        if (files > models)
            throw new InputException($"{dir}: has {files} model files but {RunLayout.KeepFile} has {models} models");

        var logits = new float[models][];
        int a = -1, c = -1;
        string? first = null;
        for (int m = 0; m < models; m++)
        {
            string path = paths.Logits(m);
            if (!File.Exists(path))
                throw new InputException($"{path}: not found; {RunLayout.KeepFile} has {models} models but {dir} has {files} model files");
            var (dtype, shape) = Npy.ReadHeader(path);
            if (dtype != DType.Float32)
                throw new InputException($"{path}: expected dtype float32, found {DTypes.Name(dtype)}" + (dtype == DType.Float64 ? " (save with .astype(numpy.float32))" : ""));
            if (shape.Length is not (2 or 3))
                throw new InputException($"{path}: expected shape (N, A, C) = ({n}, A, C), found {NpyArray.FormatShape(shape)}");
            if (shape[0] != n)
                throw new InputException($"{path}: has {shape[0]} samples but {RunLayout.LabelsFile} has {n}");
            int ma = shape.Length == 3 ? shape[1] : 1, mc = shape[^1];
            if (ma < 1 || mc < 2)
                throw new InputException($"{path}: needs at least 1 query and 2 classes, found shape {NpyArray.FormatShape(shape)}");
            if (first is null) { a = ma; c = mc; first = path; }
            else if (ma != a)
                throw new InputException($"{path}: has {ma} query augmentations but {first} has {a}");
            else if (mc != c)
                throw new InputException($"{path}: has {mc} classes but {first} has {c}");
            var values = Npy.Read(path).Get<float>();
            for (int k = 0; k < values.Length; k++)
                if (!float.IsFinite(values[k]))
                    throw new InputException($"{path}: {(float.IsNaN(values[k]) ? "NaN" : "infinite")} logit at sample {k / (a * c)} (query {k / c % a}, class {k % c})");
            logits[m] = values;
            hashes[InputHashes.LogitsKey(m)] = FileHash.Sha256(path);
        }

        for (int i = 0; i < n; i++)
            if (labels[i] < 0 || labels[i] >= c)
                throw new InputException($"{paths.Labels}: label {labels[i]} at sample {i} is outside [0, {c}) — the logits have {c} classes");

        return (new ModelOutputs(logits, labels, keep, a, c, holdout), new InputHashes(hashes));
    }
}
