namespace MiaLab.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.WriteLine("mialab: commands are being wired up");
        return 0;
    }
}
