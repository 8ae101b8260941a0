using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Symbolon.Storage.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Conversations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "message_settings",
                columns: table => new
                {
                    VaultId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RelationshipId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Permission = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    NoMarketing = table.Column<bool>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_settings", x => new { x.VaultId, x.RelationshipId });
                    table.ForeignKey(
                        name: "FK_message_settings_relationships_VaultId_RelationshipId",
                        columns: x => new { x.VaultId, x.RelationshipId },
                        principalTable: "relationships",
                        principalColumns: new[] { "VaultId", "Id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "messages",
                columns: table => new
                {
                    VaultId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    RelationshipId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Author = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Marketing = table.Column<bool>(type: "INTEGER", nullable: false),
                    Muted = table.Column<bool>(type: "INTEGER", nullable: false),
                    ReadAt = table.Column<long>(type: "INTEGER", nullable: true),
                    TextSealed = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_messages", x => new { x.VaultId, x.Id });
                    table.ForeignKey(
                        name: "FK_messages_relationships_VaultId_RelationshipId",
                        columns: x => new { x.VaultId, x.RelationshipId },
                        principalTable: "relationships",
                        principalColumns: new[] { "VaultId", "Id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "pushed_updates",
                columns: table => new
                {
                    VaultId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    RelationshipId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Datatype = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    FieldRecordId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PushedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FetchedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ValueSealed = table.Column<byte[]>(type: "BLOB", nullable: true),
                    Receipt = table.Column<byte[]>(type: "BLOB", nullable: false),
                    ReceiptSignature = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_pushed_updates", x => new { x.VaultId, x.Id });
                    table.ForeignKey(
                        name: "FK_pushed_updates_relationships_VaultId_RelationshipId",
                        columns: x => new { x.VaultId, x.RelationshipId },
                        principalTable: "relationships",
                        principalColumns: new[] { "VaultId", "Id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_messages_VaultId_RelationshipId_SentAt",
                table: "messages",
                columns: new[] { "VaultId", "RelationshipId", "SentAt" });

            migrationBuilder.CreateIndex(
                name: "IX_pushed_updates_VaultId_RelationshipId",
                table: "pushed_updates",
                columns: new[] { "VaultId", "RelationshipId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "message_settings");

            migrationBuilder.DropTable(
                name: "messages");

            migrationBuilder.DropTable(
                name: "pushed_updates");
        }
    }
}
