using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Symbolon.Exchange.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Hardening : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "WebhookLeaseOwner",
                table: "vendors",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "WebhookLeaseUntil",
                table: "vendors",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "intent_tombstones",
                columns: table => new
                {
                    IdHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    KeepUntil = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_intent_tombstones", x => x.IdHash);
                });

            migrationBuilder.CreateTable(
                name: "rate_windows",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    WindowStart = table.Column<long>(type: "bigint", nullable: false),
                    WindowEnd = table.Column<long>(type: "bigint", nullable: false),
                    Hits = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_rate_windows", x => x.Key);
                });

            migrationBuilder.CreateIndex(
                name: "IX_intent_tombstones_KeepUntil",
                table: "intent_tombstones",
                column: "KeepUntil");

            migrationBuilder.CreateIndex(
                name: "IX_rate_windows_WindowEnd",
                table: "rate_windows",
                column: "WindowEnd");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "intent_tombstones");

            migrationBuilder.DropTable(
                name: "rate_windows");

            migrationBuilder.DropColumn(
                name: "WebhookLeaseOwner",
                table: "vendors");

            migrationBuilder.DropColumn(
                name: "WebhookLeaseUntil",
                table: "vendors");
        }
    }
}
