using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Symbolon.Exchange.Storage.Migrations.Postgres
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
                    Seq = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Id = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    Payload = table.Column<string>(type: "text", nullable: false),
                    Signature = table.Column<string>(type: "text", nullable: false),
                    SignKey = table.Column<string>(type: "character varying(43)", maxLength: 43, nullable: false),
                    Category = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Country = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    PostalPrefix = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: true),
                    Blocklist = table.Column<string>(type: "text", nullable: true),
                    PublishedAt = table.Column<long>(type: "bigint", nullable: false),
                    ExpiresAt = table.Column<long>(type: "bigint", nullable: false)
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
                    Id = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Site = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    SignKey = table.Column<string>(type: "text", nullable: false),
                    BoxKey = table.Column<string>(type: "text", nullable: false),
                    ApiKeyHash = table.Column<string>(type: "text", nullable: false),
                    WebhookUrl = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    WebhookSecret = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vendors", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "events",
                columns: table => new
                {
                    Seq = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    VendorId = table.Column<string>(type: "character varying(30)", nullable: false),
                    Type = table.Column<string>(type: "text", nullable: false),
                    IntentId = table.Column<string>(type: "text", nullable: false),
                    OfferId = table.Column<string>(type: "text", nullable: true),
                    At = table.Column<long>(type: "bigint", nullable: false),
                    Envelope = table.Column<string>(type: "text", nullable: true)
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
                    Seq = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Id = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: true),
                    IntentId = table.Column<string>(type: "character varying(30)", nullable: false),
                    VendorId = table.Column<string>(type: "character varying(30)", nullable: false),
                    Envelope = table.Column<string>(type: "text", nullable: false),
                    EnvelopeHash = table.Column<string>(type: "text", nullable: false),
                    ReceivedAt = table.Column<long>(type: "bigint", nullable: false)
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
                    Seq = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    VendorId = table.Column<string>(type: "character varying(30)", nullable: false),
                    Category = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Country = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    PostalPrefix = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: true)
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
                    Seq = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    VendorId = table.Column<string>(type: "character varying(30)", nullable: false),
                    MessageId = table.Column<string>(type: "text", nullable: false),
                    Type = table.Column<string>(type: "text", nullable: false),
                    Body = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "bigint", nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    LastError = table.Column<string>(type: "text", nullable: true)
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
