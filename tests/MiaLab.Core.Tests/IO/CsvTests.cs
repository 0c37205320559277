using MiaLab.Core.IO;

namespace MiaLab.Core.Tests.IO;

public class CsvTests
{
    private static string Write(TempFolder dir, string text)
    {
        string path = dir.File("t.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void TheFirstColumnIsTheLabelByDefault()
    {
        using var dir = new TempFolder();
        string path = Write(dir, "class,a,b\n1,0.5,2\n\n0,-1e2,3.25\n");
        var (features, labels, count) = Csv.ReadLabelledTable(path, null);
        Assert.Equal(2, count);
        Assert.Equal([1L, 0L], labels);
        Assert.Equal([0.5f, 2f, -100f, 3.25f], features);
    }

    [Fact]
    public void TheLabelColumnCanBeNamedAnywhere()
    {
        using var dir = new TempFolder();
        string path = Write(dir, "a,\"target, y\",b\r\n1.5,2,7\r\n2.5,3.0,8\r\n");
        var (features, labels, count) = Csv.ReadLabelledTable(path, "target, y");
        Assert.Equal(2, count);
        Assert.Equal([2L, 3L], labels);
        Assert.Equal([1.5f, 7f, 2.5f, 8f], features);
    }

    [Fact]
    public void MistakesAreOneLineErrorsNamingTheFile()
    {
        using var dir = new TempFolder();
        (string Text, string? Column, string Expect)[] cases =
        [
            ("label,a\n0,1\n", "y", "no column named 'y'"),
            ("label,a\n0,x\n", null, ":2: value 'x' in column 'a'"),
            ("label,a\n0,1,2\n", null, ":2: expected 2 fields"),
            ("label,a\ncat,1\n", null, "label 'cat'"),
            ("label,a\n", null, "no data rows"),
            ("", null, "empty file"),
            ("label\n1\n", null, "at least one feature column"),
        ];
        foreach (var (text, column, expect) in cases)
        {
            string path = Write(dir, text);
            var e = Assert.Throws<InputException>(() => Csv.ReadLabelledTable(path, column));
            Assert.Contains(path, e.Message);
            Assert.Contains(expect, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
    }
}
