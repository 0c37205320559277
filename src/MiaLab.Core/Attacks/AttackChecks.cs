namespace MiaLab.Core.Attacks;

/// <summary>Argument checks shared by the attacks: user mistakes become one-line InputExceptions.</summary>
internal static class AttackChecks
{
    public static void Target(IRunMembership o, int target)
    {
        if (target < 0 || target >= o.Models)
            throw new InputException($"target model {target} is out of range: there are {o.Models} models (0..{o.Models - 1})");
    }

    /// <summary>Checks the target and that every reference is a distinct valid model other than the target.</summary>
    public static int[] References(IRunMembership o, int target, IReadOnlyList<int> refs, int minimum, string attack)
    {
        Target(o, target);
        var seen = new bool[o.Models];
        var result = new int[refs.Count];
        for (int k = 0; k < refs.Count; k++)
        {
            int r = refs[k];
            if (r < 0 || r >= o.Models)
                throw new InputException($"reference model {r} is out of range: there are {o.Models} models (0..{o.Models - 1})");
            if (r == target) throw new InputException($"reference model {r} is the target model");
            if (seen[r]) throw new InputException($"reference model {r} is listed twice");
            seen[r] = true;
            result[k] = r;
        }
        if (result.Length < minimum)
            throw new InputException($"{attack} needs at least {minimum} reference models, got {result.Length}");
        return result;
    }

    /// <summary>Every model except the target, in order.</summary>
    public static int[] AllExcept(IRunMembership o, int target)
    {
        Target(o, target);
        var refs = new int[o.Models - 1];
        for (int m = 0, k = 0; m < o.Models; m++)
            if (m != target) refs[k++] = m;
        return refs;
    }

    /// <summary>Indices of the holdout samples, which no attack scores.</summary>
    public static int[] HoldoutIndices(IRunMembership o)
    {
        var list = new List<int>();
        for (int i = 0; i < o.Samples; i++)
            if (o.Holdout[i]) list.Add(i);
        return [.. list];
    }

    public static void CheckLabels(ModelOutputs o)
    {
        if (o.Classes < 2) throw new InputException($"attacks need at least 2 classes, got {o.Classes}");
        if (o.Augmentations < 1) throw new InputException($"need at least 1 query augmentation, got {o.Augmentations}");
        for (int i = 0; i < o.Samples; i++)
            if (o.Labels[i] < 0 || o.Labels[i] >= o.Classes)
                throw new InputException($"label {o.Labels[i]} of sample {i} is outside [0, {o.Classes})");
    }
}
