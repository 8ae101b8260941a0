using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Symbolon.Storage.Postgres.Migrations
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
                    VaultId = table.Column<Guid>(type: "uuid", nullable: false),
                    RelationshipId = table.Column<Guid>(type: "uuid", nullable: false),
                    Permission = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    NoMarketing = table.Column<bool>(type: "boolean", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                    VaultId = table.Column<Guid>(type: "uuid", nullable: false),
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    RelationshipId = table.Column<Guid>(type: "uuid", nullable: false),
                    Author = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    SentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Marketing = table.Column<bool>(type: "boolean", nullable: false),
                    Muted = table.Column<bool>(type: "boolean", nullable: false),
                    ReadAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    TextSealed = table.Column<byte[]>(type: "bytea", nullable: false)
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
                    VaultId = table.Column<Guid>(type: "uuid", nullable: false),
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    RelationshipId = table.Column<Guid>(type: "uuid", nullable: false),
                    Datatype = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    FieldRecordId = table.Column<Guid>(type: "uuid", nullable: false),
                    PushedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FetchedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ValueSealed = table.Column<byte[]>(type: "bytea", nullable: true),
                    Receipt = table.Column<byte[]>(type: "bytea", nullable: false),
                    ReceiptSignature = table.Column<byte[]>(type: "bytea", nullable: false)
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
