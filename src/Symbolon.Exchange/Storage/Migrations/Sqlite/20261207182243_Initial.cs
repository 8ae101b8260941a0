using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Symbolon.Exchange.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "intents",
                columns: table => new
                {
                    Seq = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Id = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    Payload = table.Column<string>(type: "TEXT", nullable: false),
                    Signature = table.Column<string>(type: "TEXT", nullable: false),
                    SignKey = table.Column<string>(type: "TEXT", maxLength: 43, nullable: false),
                    Category = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Country = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    PostalPrefix = table.Column<string>(type: "TEXT", maxLength: 3, nullable: true),
                    Blocklist = table.Column<string>(type: "TEXT", nullable: true),
                    PublishedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_intents", x => x.Seq);
                    table.UniqueConstraint("AK_intents_Id", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "vendors",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Site = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    SignKey = table.Column<string>(type: "TEXT", nullable: false),
                    BoxKey = table.Column<string>(type: "TEXT", nullable: false),
                    ApiKeyHash = table.Column<string>(type: "TEXT", nullable: false),
                    WebhookUrl = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    WebhookSecret = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vendors", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "events",
                columns: table => new
                {
                    Seq = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VendorId = table.Column<string>(type: "TEXT", nullable: false),
                    Type = table.Column<string>(type: "TEXT", nullable: false),
                    IntentId = table.Column<string>(type: "TEXT", nullable: false),
                    OfferId = table.Column<string>(type: "TEXT", nullable: true),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Envelope = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_events", x => x.Seq);
                    table.ForeignKey(
                        name: "FK_events_vendors_VendorId",
                        column: x => x.VendorId,
                        principalTable: "vendors",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "offers",
                columns: table => new
                {
                    Seq = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Id = table.Column<string>(type: "TEXT", maxLength: 30, nullable: true),
                    IntentId = table.Column<string>(type: "TEXT", nullable: false),
                    VendorId = table.Column<string>(type: "TEXT", nullable: false),
                    Envelope = table.Column<string>(type: "TEXT", nullable: false),
                    EnvelopeHash = table.Column<string>(type: "TEXT", nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_offers", x => x.Seq);
                    table.ForeignKey(
                        name: "FK_offers_intents_IntentId",
                        column: x => x.IntentId,
                        principalTable: "intents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_offers_vendors_VendorId",
                        column: x => x.VendorId,
                        principalTable: "vendors",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "subscriptions",
                columns: table => new
                {
                    Seq = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VendorId = table.Column<string>(type: "TEXT", nullable: false),
                    Category = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Country = table.Column<string>(type: "TEXT", maxLength: 2, nullable: true),
                    PostalPrefix = table.Column<string>(type: "TEXT", maxLength: 3, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_subscriptions", x => x.Seq);
                    table.ForeignKey(
                        name: "FK_subscriptions_vendors_VendorId",
                        column: x => x.VendorId,
                        principalTable: "vendors",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "webhook_messages",
                columns: table => new
                {
                    Seq = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VendorId = table.Column<string>(type: "TEXT", nullable: false),
                    MessageId = table.Column<string>(type: "TEXT", nullable: false),
                    Type = table.Column<string>(type: "TEXT", nullable: false),
                    Body = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    LastError = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhook_messages", x => x.Seq);
                    table.ForeignKey(
                        name: "FK_webhook_messages_vendors_VendorId",
                        column: x => x.VendorId,
                        principalTable: "vendors",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_events_At",
                table: "events",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_events_VendorId_Seq",
                table: "events",
                columns: new[] { "VendorId", "Seq" });

            migrationBuilder.CreateIndex(
                name: "IX_intents_Category",
                table: "intents",
                column: "Category");

            migrationBuilder.CreateIndex(
                name: "IX_intents_ExpiresAt",
                table: "intents",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_intents_Id",
                table: "intents",
                column: "Id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_offers_Id",
                table: "offers",
                column: "Id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_offers_IntentId_EnvelopeHash",
                table: "offers",
                columns: new[] { "IntentId", "EnvelopeHash" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_offers_VendorId",
                table: "offers",
                column: "VendorId");

            migrationBuilder.CreateIndex(
                name: "IX_subscriptions_Category",
                table: "subscriptions",
                column: "Category");

            migrationBuilder.CreateIndex(
                name: "IX_subscriptions_VendorId",
                table: "subscriptions",
                column: "VendorId");

            migrationBuilder.CreateIndex(
                name: "IX_vendors_ApiKeyHash",
                table: "vendors",
                column: "ApiKeyHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_vendors_SignKey",
                table: "vendors",
                column: "SignKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_webhook_messages_NextAttemptAt",
                table: "webhook_messages",
                column: "NextAttemptAt");

            migrationBuilder.CreateIndex(
                name: "IX_webhook_messages_VendorId_Seq",
                table: "webhook_messages",
                columns: new[] { "VendorId", "Seq" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "events");

            migrationBuilder.DropTable(
                name: "offers");

            migrationBuilder.DropTable(
                name: "subscriptions");

            migrationBuilder.DropTable(
                name: "webhook_messages");

            migrationBuilder.DropTable(
                name: "intents");

            migrationBuilder.DropTable(
                name: "vendors");
        }
    }
}
