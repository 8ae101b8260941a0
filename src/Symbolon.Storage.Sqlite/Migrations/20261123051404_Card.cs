using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Symbolon.Storage.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Card : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "CardAutoApproveAppend",
                table: "vaults",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "card_codes",
                columns: table => new
                {
                    VaultId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CodeHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RedeemedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RedeemedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_card_codes", x => new { x.VaultId, x.Id });
                    table.ForeignKey(
                        name: "FK_card_codes_vaults_VaultId",
                        column: x => x.VaultId,
                        principalTable: "vaults",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "card_requests",
                columns: table => new
                {
                    VaultId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    RelationshipId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CardCodeId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RequestedDetails = table.Column<string>(type: "TEXT", maxLength: 8192, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DecidedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DecidedAutomatically = table.Column<bool>(type: "INTEGER", nullable: false),
                    DeviceCodeTokenId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    DeviceCodeHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: true),
                    IntervalSeconds = table.Column<int>(type: "INTEGER", nullable: false),
                    LastPolledAt = table.Column<long>(type: "INTEGER", nullable: true),
                    GrantId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_card_requests", x => new { x.VaultId, x.Id });
                    table.ForeignKey(
                        name: "FK_card_requests_relationships_VaultId_RelationshipId",
                        columns: x => new { x.VaultId, x.RelationshipId },
                        principalTable: "relationships",
                        principalColumns: new[] { "VaultId", "Id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_card_codes_CodeHash",
                table: "card_codes",
                column: "CodeHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_card_codes_VaultId_ExpiresAt",
                table: "card_codes",
                columns: new[] { "VaultId", "ExpiresAt" });

            migrationBuilder.CreateIndex(
                name: "IX_card_requests_DeviceCodeHash",
                table: "card_requests",
                column: "DeviceCodeHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_card_requests_VaultId_RelationshipId",
                table: "card_requests",
                columns: new[] { "VaultId", "RelationshipId" });

            migrationBuilder.CreateIndex(
                name: "IX_card_requests_VaultId_Status_ExpiresAt",
                table: "card_requests",
                columns: new[] { "VaultId", "Status", "ExpiresAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "card_codes");

            migrationBuilder.DropTable(
                name: "card_requests");

            migrationBuilder.DropColumn(
                name: "CardAutoApproveAppend",
                table: "vaults");
        }
    }
}
