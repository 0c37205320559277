using System.CommandLine;
using MiaLab.Core;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;
using MiaLab.Onnx;
using MiaLab.Torch.Models;

namespace MiaLab.Cli.Commands;

internal static class ExportCommand
{
    public static Command Create()
    {
        var run = Options.Run(create: false);
        var model = Options.RequiredNumber("--model", "The model to export.", 0, 1_000_000);
        var output = new Option<string>("--out") { Description = "The .onnx file to write.", Required = true };
        var command = new Command("export", "Write a trained model of a run as ONNX, for ONNX Runtime, PyTorch's onnx tools or MiaLab's own " +
            "ONNX settings (a classifier as a target: section or a backbone). Input \"input\" [batch, *sample shape]; output \"logits\" [batch, classes] for a classifier, or \"output\" " +
            "[batch, C, H, W] for a U-Net (the image itself, clamped to [0, 1] as in evaluation, and block-averaged when the targets are " +
            "smaller than the inputs: not logits, hence the other name); every capture point a named tensor.\n" +
            "Example: mialab export --run runs/fm --model 0 --out model-0.onnx")
        { run, model, output };
        command.SetAction(p => CommandRunner.Run(_ =>
        {
            var dir = RunDirectory.Open(p.GetValue(run)!);
            int m = p.GetValue(model);
            string path = p.GetValue(output)!;
            var config = dir.Config ?? throw new InputException($"{dir.Root}: no manifest.json; 'export' needs a run directory made by 'mialab train'");
            if (m < 0 || m >= dir.Models) throw new InputException($"--model {m} is outside the run's models 0..{dir.Models - 1}");
            if (dir.Target is not null && m == ExternalTarget.Model)
                throw new InputException($"model 0 of {dir.Root} is the external target {dir.Target.Onnx}, already an ONNX file");
            if (!dir.Records.IsTrained(m)) throw new InputException($"model {m} of {dir.Root} has no valid weights yet; run 'mialab train' first");
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is not null && !Directory.Exists(folder)) throw new InputException($"--out {path}: the folder {folder} does not exist");
            var dataset = dir.Dataset!;
            // A U-Net's output has the targets' shape, which the run directory does not hold: the task makes them again from the config.
            int[]? targetShape = config.Task is null ? null : PlanStage.LoadData(config).Samples.TargetShape;
            using var torch = TorchModel.Load(config.Model, dataset.SampleShape, dataset.Classes, dir.Paths.Weights(m), targetShape);
            var graph = torch.ToGraph();
            OnnxExport.Write(graph, path);
            Console.WriteLine($"Wrote {path}: {config.Model.Kind} model {m} of {dir.Root}, input [batch, {string.Join(", ", dataset.SampleShape)}], " +
                $"output '{graph.OutputName}' [batch, {string.Join(", ", graph.OutputShape)}], capture points {string.Join(", ", torch.CapturePoints)}; sha256 {FileHash.Sha256(path)}");
            return 0;
        }));
        return command;
    }
}
