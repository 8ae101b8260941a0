using Symbolon.Bench;

return await BenchCommand.Create().Parse(args).InvokeAsync();
