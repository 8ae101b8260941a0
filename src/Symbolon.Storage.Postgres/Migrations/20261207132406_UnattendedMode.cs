using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Symbolon.Storage.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class UnattendedMode : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "HostWrappedKey",
                table: "vaults",
                type: "bytea",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "key_uses",
                columns: table => new
                {
                    VaultId = table.Column<Guid>(type: "uuid", nullable: false),
                    RelationshipId = table.Column<Guid>(type: "uuid", nullable: false),
                    Reads = table.Column<int>(type: "integer", nullable: false),
                    Writes = table.Column<int>(type: "integer", nullable: false),
                    FirstAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_key_uses", x => new { x.VaultId, x.RelationshipId });
                    table.ForeignKey(
                        name: "FK_key_uses_relationships_VaultId_RelationshipId",
                        columns: x => new { x.VaultId, x.RelationshipId },
                        principalTable: "relationships",
                        principalColumns: new[] { "VaultId", "Id" },
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "key_uses");

            migrationBuilder.DropColumn(
                name: "HostWrappedKey",
                table: "vaults");
        }
    }
}
