using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Symbolon.Storage.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AccessLogCount : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Count",
                table: "access_log",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<long>(
                name: "LastAt",
                table: "access_log",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Count",
                table: "access_log");

            migrationBuilder.DropColumn(
                name: "LastAt",
                table: "access_log");
        }
    }
}
